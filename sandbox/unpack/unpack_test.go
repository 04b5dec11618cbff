package unpack

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
)

// TestSymlinksResolveInside: a link out of the root, then files written
// through it, land inside the root, as the link resolves there in a
// container; a name that climbs out with ".." is refused.
func TestSymlinksResolveInside(t *testing.T) {
	parent := t.TempDir()
	layer := tt.Tar(tt.Symlink("out", parent), tt.Symlink("up", "../../.."),
		tt.Reg("/abs/file"), tt.Reg("ok/file"), tt.Reg("out/via-abs"), tt.Reg("up/via-rel"))
	dir := filepath.Join(parent, "root")
	if err := Untar(bytes.NewReader(layer), dir, OwnerWritable); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"abs/file", "ok/file", strings.TrimPrefix(parent, "/") + "/via-abs", "via-rel"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s not under the root: %v", p, err)
		}
	}
	for _, p := range []string{"via-abs", "via-rel"} {
		if _, err := os.Stat(filepath.Join(parent, p)); err == nil {
			t.Errorf("%s was written outside the root", p)
		}
	}
	err := Untar(bytes.NewReader(tt.Tar(tt.Reg("../escape"))), dir, OwnerWritable)
	if err == nil || !strings.Contains(err.Error(), "escapes the root") {
		t.Errorf("../escape: err %v, want a refusal", err)
	}
	if _, err := os.Lstat(filepath.Join(parent, "escape")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("../escape was written: %v", err)
	}
}

// TestLayers: whiteouts, opaque directories and hard links across
// layers, and the modes each kind of unpack keeps.
func TestLayers(t *testing.T) {
	ro := func(h *tar.Header, mode int64) *tar.Header { h.Mode = mode; return h }
	layers := [][]byte{
		tt.Tar(ro(tt.Dir("etc/"), 0o555), ro(tt.Reg("etc/passwd"), 0o4755), tt.Reg("etc/group"),
			tt.Dir("old/"), tt.Reg("old/a"), tt.Reg("keep")),
		tt.Tar(tt.Whiteout("etc/", "group"), tt.Reg("old/.wh..wh..opq"), tt.Reg("old/new"), tt.Link("hard", "keep")),
	}
	for _, c := range []struct {
		name  string
		modes Modes
		etc   fs.FileMode
	}{
		{"exact keeps setuid and read-only directories", Exact, 0o555},
		{"owner-writable keeps the owner's write bits", OwnerWritable, 0o755},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			t.Cleanup(func() { _ = MakeWritable(root) })
			u := New(root, c.modes)
			for _, l := range layers {
				if err := u.Apply(bytes.NewReader(l)); err != nil {
					t.Fatal(err)
				}
			}
			if err := u.Finish(); err != nil {
				t.Fatal(err)
			}
			for _, gone := range []string{"etc/group", "old/a"} {
				if _, err := os.Lstat(filepath.Join(root, gone)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s survived its whiteout: %v", gone, err)
				}
			}
			if b, err := os.ReadFile(filepath.Join(root, "old/new")); err != nil || string(b) != "old/new" {
				t.Errorf("old/new: %q %v", b, err)
			}
			a, _ := os.Stat(filepath.Join(root, "keep"))
			b, err := os.Stat(filepath.Join(root, "hard"))
			if err != nil || !os.SameFile(a, b) {
				t.Errorf("hard is not a link to keep: %v", err)
			}
			fi, err := os.Stat(filepath.Join(root, "etc/passwd"))
			if err != nil {
				t.Fatal(err)
			}
			wantPasswd := fs.FileMode(0o755)
			if c.modes == Exact {
				wantPasswd |= fs.ModeSetuid
			}
			if fi.Mode() != wantPasswd {
				t.Errorf("etc/passwd mode %v, want %v", fi.Mode(), wantPasswd)
			}
			if fi, _ := os.Stat(filepath.Join(root, "etc")); fi.Mode().Perm() != c.etc {
				t.Errorf("etc mode %v, want %v", fi.Mode().Perm(), c.etc)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755)
	os.WriteFile(filepath.Join(root, "usr/bin/tool"), []byte("x"), 0o755)
	os.Symlink("usr/bin", filepath.Join(root, "bin"))
	os.Symlink("/usr/bin/tool", filepath.Join(root, "usr/bin/abs"))
	os.Symlink("../../../../../etc/passwd", filepath.Join(root, "usr/bin/up"))
	cases := []struct {
		path, want string // want "" means an error
	}{
		{"/usr/bin/tool", "usr/bin/tool"},
		{"/bin/tool", "usr/bin/tool"},
		{"/bin/abs", "usr/bin/tool"},
		{"/usr/bin/up", ""}, // clamps to root/etc/passwd, which is missing
		{"/usr/bin/tool/x", ""},
		{"/missing", ""},
	}
	for _, tc := range cases {
		got, err := Resolve(root, tc.path)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s: resolved to %s, want an error", tc.path, got)
		case tc.want != "" && (err != nil || got != filepath.Join(root, tc.want)):
			t.Errorf("%s: got %q, %v; want %s", tc.path, got, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "missing")); err == nil {
		t.Error("Resolve created a directory")
	}
}
