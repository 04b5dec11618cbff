package content

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sockerless/sockerless/sandbox/unpack"
)

// writeTree makes files (ending "/" for directories, "->x" for symlinks
// to x) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case name[len(name)-1] == '/':
			err = os.MkdirAll(p, 0o755)
		case len(body) > 2 && body[:2] == "->":
			err = os.Symlink(body[2:], p)
		default:
			err = os.WriteFile(p, []byte(body), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteLayerRoundTrip(t *testing.T) {
	lower := map[string]string{
		"etc/passwd": "root", "etc/group": "g", "etc/hosts": "image hosts",
		"old/a": "a", "old/b": "b", "keep/x": "x", "bin/sh": "sh",
	}
	upper := map[string]string{
		"etc/passwd":       "root\nnew", // modified
		"etc/.wh.group":    "",          // deleted
		"etc/hosts":        "runtime",   // excluded: the runtime's file
		"old/":             "",          // replaced directory: whiteout beside it
		".wh.old":          "",
		"old/c":            "c",
		"new/deep/f":       "f",        // added
		"new/link":         "->deep/f", // symlink
		".wh..wh..tmp-123": "",         // a copy-up temporary, never in a layer
	}
	tmp := t.TempDir()
	lo, up, got := filepath.Join(tmp, "lower"), filepath.Join(tmp, "upper"), filepath.Join(tmp, "got")
	writeTree(t, lo, lower)
	writeTree(t, up, upper)
	writeTree(t, got, lower)

	var layer bytes.Buffer
	if err := WriteLayer(&layer, up, lo, map[string]bool{"etc/hosts": true}); err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(bytes.NewReader(layer.Bytes()))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s owned by %d:%d, want root", h.Name, h.Uid, h.Gid)
		}
		names = append(names, h.Name)
	}
	for _, n := range []string{"etc/hosts", ".wh.old", ".wh..wh..tmp-123", "keep/", "bin/"} {
		if slices.Contains(names, n) {
			t.Errorf("layer holds %s: %v", n, names)
		}
	}
	for _, n := range []string{"etc/.wh.group", "old/", "old/.wh..wh..opq", "new/deep/f", "new/link"} {
		if !slices.Contains(names, n) {
			t.Errorf("layer lacks %s: %v", n, names)
		}
	}

	u := unpack.New(got, unpack.Exact)
	if err := u.Apply(bytes.NewReader(layer.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := u.Finish(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"etc/passwd": "root\nnew", "etc/hosts": "image hosts", "old/c": "c",
		"keep/x": "x", "bin/sh": "sh", "new/deep/f": "f", "new/link": "f",
	}
	for name, body := range want {
		b, err := os.ReadFile(filepath.Join(got, name))
		if err != nil || string(b) != body {
			t.Errorf("%s: %q, %v; want %q", name, b, err, body)
		}
	}
	for _, gone := range []string{"etc/group", "old/a", "old/b"} {
		if _, err := os.Lstat(filepath.Join(got, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived the layer: %v", gone, err)
		}
	}
}
