package unpack

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
)

func dir700(name string) *tar.Header {
	h := tt.Dir(name)
	h.Mode = 0o700
	return h
}

// FuzzUnpack: two layers of arbitrary bytes, applied in order, never
// panic and never touch anything beside the root, whatever their
// whiteouts, links and symlinks say, with either kind of modes.
func FuzzUnpack(f *testing.F) {
	seeds := [][2][]byte{
		{tt.Tar(dir700("a/"), tt.Reg("a/f"), tt.Symlink("a/l", "f"), tt.Link("a/h", "a/f")), tt.Tar(tt.Whiteout("a/", "f"), tt.Reg("a/.wh..wh..opq"))},
		{tt.Tar(tt.Reg("../escape"), tt.Reg("/abs"), tt.Link("h", "../outside/keep")), nil},
		{tt.Tar(tt.Symlink("l", "../outside"), tt.Reg("l/planted"), tt.Symlink("m", "/"), tt.Reg("m/x")), tt.Tar(tt.Whiteout("l/", "keep"), tt.Whiteout("", "l"))},
		// A directory recorded for its mode, then replaced by a link out:
		// finishing must not chmod through the link.
		{tt.Tar(dir700("a/"), dir700("a/b/"), tt.Symlink("a", "../outside")), nil},
		{tt.Tar(dir700("d/"), tt.Symlink("d/up", "../../outside"), tt.Reg("d/up/keep")), tt.Tar(tt.Reg("d/up/.wh..wh..opq"))},
		{tt.Tar(tt.Symlink("x", "y"), tt.Symlink("y", "x"), tt.Reg("x/loop")), nil},
		{tt.Tar(tt.Link("hl", "hl")), tt.Tar(tt.Link("a", "../../outside/keep"))},
		{tt.Tar(tt.Symlink("l", "."), tt.Symlink("m", "l/../../outside"), tt.Reg("m/planted")), nil},
		{[]byte("not a tar"), {}},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, layer1, layer2 []byte, writable bool) {
		tmp := t.TempDir()
		root := filepath.Join(tmp, "root")
		outside := filepath.Join(tmp, "outside")
		for _, d := range []string{root, filepath.Join(outside, "b")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(outside, "keep"), []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := tt.Snapshot(t, outside)
		modes := Exact
		if writable {
			modes = OwnerWritable
		}
		u := New(root, modes)
		for _, l := range [][]byte{layer1, layer2} {
			if err := u.Apply(bytes.NewReader(l)); err != nil {
				break // a refused layer is fine; an escape is not
			}
		}
		_ = u.Finish()
		tt.Unchanged(t, outside, before)
		top, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range top {
			if e.Name() != "root" && e.Name() != "outside" {
				t.Errorf("%s appeared beside the root", e.Name())
			}
		}
		_ = MakeWritable(tmp) // let t.TempDir clean read-only trees
	})
}
