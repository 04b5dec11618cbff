package archive

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/sandbox/rootfs"
	tt "github.com/sockerless/sockerless/sandbox/treetest"
)

// chrootFS is a container's filesystem the way a real container sees
// it, as the sandbox hands it to the agent (rootfs): "/" is root,
// symlinks (absolute ones from root) are followed and ".." stops at
// root. Extract trusts its FS for that much, so the fuzz target can ask
// the sharper question: does Extract itself ever write outside the
// directory it was given?
type chrootFS struct{ *rootfs.FS }

func chroot(t *testing.T, root string) chrootFS {
	t.Helper()
	f, err := rootfs.New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	return chrootFS{f}
}

func (c chrootFS) Create(name string, perm fs.FileMode) (io.WriteCloser, error) {
	return c.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm, rootfs.Stdio{})
}

// FuzzExtract: whatever the bytes, Extract into /dest neither panics
// nor changes anything outside /dest.
func FuzzExtract(f *testing.F) {
	seeds := [][]byte{
		tt.Tar(tt.Dir("a/"), tt.Reg("a/b"), tt.Symlink("a/l", "b"), tt.Link("a/h", "a/b")),
		tt.Tar(tt.Reg("../../escape"), tt.Reg("/abs"), tt.Reg("./x/../../y")),
		tt.Tar(tt.Symlink("l", "/outside"), tt.Reg("l/planted")),
		tt.Tar(tt.Symlink("l", "../outside"), tt.Reg("l/planted")),
		tt.Tar(tt.Symlink("l", "."), tt.Symlink("m", "l/../../outside"), tt.Reg("m/planted")),
		tt.Tar(tt.Symlink("a", "b"), tt.Symlink("b", "a"), tt.Reg("a/loop")),
		tt.Tar(tt.Symlink("in", "sub"), tt.Dir("sub/"), tt.Symlink("sub/up", "/outside/sub"), tt.Reg("in/up/planted")),
		tt.Tar(tt.Link("h", "/outside/keep"), tt.Reg("h")),
		tt.Tar(tt.Symlink("keep", "/outside/keep"), tt.Reg("keep")),
		tt.Tar(tt.Dir("/"), tt.Dir("./"), tt.Dir("../")),
		[]byte("not a tar at all"),
		{},
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, noOverwrite bool) {
		root := t.TempDir()
		for _, d := range []string{"dest", "outside/sub"} {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(root, "outside", "keep"), []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := tt.Snapshot(t, filepath.Join(root, "outside"))
		err := Extract(bytes.NewReader(data), chroot(t, root), "/dest", noOverwrite)
		_ = err // refusing an archive is fine; writing outside is not
		tt.Unchanged(t, filepath.Join(root, "outside"), before)
		top, rerr := os.ReadDir(root)
		if rerr != nil {
			t.Fatal(rerr)
		}
		for _, e := range top {
			if e.Name() != "dest" && e.Name() != "outside" {
				t.Errorf("/%s appeared beside /dest (extract error: %v)", e.Name(), err)
			}
		}
		if fi, serr := os.Lstat(filepath.Join(root, "dest")); serr != nil || !fi.IsDir() {
			t.Errorf("/dest itself was replaced: %v", serr)
		}
	})
}

// TestExtractRefusesParentLinksOutside pins what the fuzz target found
// first: a planted symlink must not carry later entries out.
func TestExtractRefusesParentLinksOutside(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "dest"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "outside"), 0o755))
	err := Extract(bytes.NewReader(tt.Tar(tt.Symlink("l", "/outside"), tt.Reg("l/planted"))), chroot(t, root), "/dest", false)
	if err == nil || !strings.Contains(err.Error(), "outside /dest") {
		t.Errorf("err %v, want a refusal naming the escape", err)
	}
	if _, err := os.Lstat(filepath.Join(root, "outside", "planted")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("planted file reached /outside: %v", err)
	}
	// A link that stays inside is followed.
	must(t, Extract(bytes.NewReader(tt.Tar(tt.Dir("sub/"), tt.Symlink("in", "sub"), tt.Reg("in/f"))), chroot(t, root), "/dest", false))
	if _, err := os.Stat(filepath.Join(root, "dest", "sub", "f")); err != nil {
		t.Errorf("entry through an inside link: %v", err)
	}
}
