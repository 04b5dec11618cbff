package content_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/functions/backends/local/content"
)

// loadImage stores layers as one image through Load and returns its ID.
func loadImage(t *testing.T, s *content.Store, layers ...[]byte) string {
	t.Helper()
	img := imageOf(t, layers...)
	tag, _ := name.NewTag("rootfs-test:1")
	var buf bytes.Buffer
	if err := tarball.Write(tag, img, &buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := s.Load(t.Context(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return loaded[0].Image.ID
}

func TestRootfsLayers(t *testing.T) {
	lower := tarOf(t,
		dir("a/"), file("a/x", "x"), file("a/y", "y"),
		dir("b/"), file("b/z", "old"),
		dir("c/"), file("c/1", "1"), dir("c/sub/"), file("c/sub/2", "2"),
		hardlink("hl", "a/y"),
		symlink("s", "/a/y"),
		symlink("etc2", "/etc"), dir("etc/"),
		entry{name: "bin/tool", body: "#!", typ: tar.TypeReg, mode: 0o4750},
		entry{name: "ro/", typ: tar.TypeDir, mode: 0o555}, file("ro/f", "f"),
	)
	upper := tarOf(t,
		file("a/.wh.x", ""),
		dir("c/"), file("c/.wh..wh..opq", ""), file("c/new", "new"),
		file("b/z", "new"),
		// Written through an absolute symlink: lands in the image's /etc.
		file("etc2/owned", "inside"),
		symlink("up", "../../../outside"),
	)
	s, _ := openStore(t)
	id := loadImage(t, s, lower, upper)
	root, err := s.Rootfs(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path    string
		content string // "" with exists: a directory or link
		exists  bool
	}{
		{"a/x", "", false},
		{"a/y", "y", true},
		{"b/z", "new", true},
		{"c/1", "", false},
		{"c/sub", "", false},
		{"c/new", "new", true},
		{"etc/owned", "inside", true},
		{"hl", "y", true},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join(root, tt.path))
		switch {
		case !tt.exists && !errors.Is(err, os.ErrNotExist):
			t.Errorf("%s exists (err %v), want it whited out", tt.path, err)
		case tt.exists && err != nil:
			t.Errorf("%s: %v", tt.path, err)
		case tt.exists && string(b) != tt.content:
			t.Errorf("%s = %q, want %q", tt.path, b, tt.content)
		}
	}
	if _, err := os.Lstat("/etc/owned"); err == nil {
		t.Fatal("a write escaped to the host's /etc")
	}
	a, _ := os.Stat(filepath.Join(root, "a/y"))
	h, _ := os.Stat(filepath.Join(root, "hl"))
	if !os.SameFile(a, h) {
		t.Error("hl is not a hard link to a/y")
	}
	for link, want := range map[string]string{"s": "/a/y", "etc2": "/etc", "up": "../../../outside"} {
		if got, err := os.Readlink(filepath.Join(root, link)); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want %q", link, got, err, want)
		}
	}
	if fi, _ := os.Stat(filepath.Join(root, "bin/tool")); fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o750 {
		t.Errorf("bin/tool mode %v, want setuid 0750", fi.Mode())
	}
	if fi, _ := os.Stat(filepath.Join(root, "ro")); fi.Mode().Perm() != 0o555 {
		t.Errorf("ro mode %v, want 0555", fi.Mode())
	}
}

func TestRootfsRejectsEscapes(t *testing.T) {
	tests := []struct {
		name  string
		layer []byte
	}{
		{"dot-dot entry", tarOf(t, file("../evil", "x"))},
		{"dot-dot inside", tarOf(t, dir("a/"), file("a/../../evil", "x"))},
		{"hard link out of root", tarOf(t, hardlink("pw", "../../../../etc/passwd"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := openStore(t)
			id := loadImage(t, s, tt.layer)
			if _, err := s.Rootfs(t.Context(), id); err == nil {
				t.Fatal("Rootfs accepted an escaping entry")
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(dir), "evil")); err == nil {
				t.Fatal("evil was written outside the store")
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "rootfs"))
			if len(entries) != 0 {
				t.Fatalf("a failed unpack left %d rootfs entries", len(entries))
			}
		})
	}
}

func TestRootfsConcurrentCallsShareOneUnpack(t *testing.T) {
	s, _ := openStore(t)
	id := loadImage(t, s, tarOf(t, file("f", "x")))
	var wg sync.WaitGroup
	paths := make([]string, 8)
	errs := make([]error, 8)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = s.Rootfs(t.Context(), id)
		}()
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("call %d: %q, %v (first %q)", i, paths[i], errs[i], paths[0])
		}
	}
	if b, err := os.ReadFile(filepath.Join(paths[0], "f")); err != nil || string(b) != "x" {
		t.Fatalf("f = %q, %v", b, err)
	}
}

func TestRemoveCollectsBlobs(t *testing.T) {
	s, dir := openStore(t)
	shared := tarOf(t, file("shared", "s"))
	a := loadImage(t, s, shared, tarOf(t, file("a", "a")))
	b := loadImage(t, s, shared, tarOf(t, file("b", "b")))
	if _, err := s.Rootfs(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, dir); n != 7 {
		t.Fatalf("%d blobs before Remove, want 7", n)
	}
	if err := s.Remove(a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Image(a); !errors.Is(err, content.ErrNotFound) {
		t.Fatalf("Image after Remove: %v", err)
	}
	if n := blobCount(t, dir); n != 4 {
		t.Fatalf("%d blobs after removing one image, want 4", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "rootfs")); len(entries) != 0 {
		t.Fatalf("Remove left the unpacked rootfs")
	}
	if _, err := s.Rootfs(t.Context(), b); err != nil {
		t.Fatalf("the other image lost blobs: %v", err)
	}
	if err := s.Remove(b); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, dir); n != 0 {
		t.Fatalf("%d blobs after removing every image", n)
	}
	if err := s.Remove(b); !errors.Is(err, content.ErrNotFound) {
		t.Fatalf("second Remove: %v", err)
	}
}

func TestReopenKeepsImages(t *testing.T) {
	dir := t.TempDir()
	s, err := content.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := loadImage(t, s, tarOf(t, file("f", "x")))
	s2, err := content.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	img, err := s2.Image(id)
	if err != nil || img.ID != id {
		t.Fatalf("after reopen: %+v, %v", img, err)
	}
}
