package archive

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
)

// chrootFS is a container's filesystem the way a real container sees
// it: "/" is root, symlinks (absolute ones from root) are followed and
// ".." stops at root. Extract trusts its FS for that much, so the fuzz
// target can ask the sharper question: does Extract itself ever write
// outside the directory it was given?
type chrootFS struct{ root string }

// host resolves a container path to a host path below root; the last
// component is followed only when follow is set.
func (c chrootFS) host(name string, follow bool) (string, error) {
	parts := strings.Split(strings.TrimPrefix(path.Clean("/"+name), "/"), "/")
	cur, hops := "/", 0
	for i := 0; i < len(parts); i++ {
		part := parts[i]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, part)
		fi, err := os.Lstat(filepath.Join(c.root, next))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 || (i == len(parts)-1 && !follow) {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return "", &fs.PathError{Op: "resolve", Path: name, Err: syscall.ELOOP}
		}
		link, err := os.Readlink(filepath.Join(c.root, next))
		if err != nil {
			return "", err
		}
		if path.IsAbs(link) {
			cur = "/"
		}
		parts = append(strings.Split(link, "/"), parts[i+1:]...)
		i = -1
	}
	return filepath.Join(c.root, cur), nil
}

func (c chrootFS) do(name string, follow bool, fn func(string) error) error {
	h, err := c.host(name, follow)
	if err != nil {
		return err
	}
	return fn(h)
}

func (c chrootFS) Lstat(name string) (fi fs.FileInfo, err error) {
	err = c.do(name, false, func(h string) error { fi, err = os.Lstat(h); return err })
	return fi, err
}

func (c chrootFS) Stat(name string) (fi fs.FileInfo, err error) {
	err = c.do(name, true, func(h string) error { fi, err = os.Stat(h); return err })
	return fi, err
}

func (c chrootFS) ReadDir(name string) (ds []fs.DirEntry, err error) {
	err = c.do(name, true, func(h string) error { ds, err = os.ReadDir(h); return err })
	return ds, err
}

func (c chrootFS) Readlink(name string) (l string, err error) {
	err = c.do(name, false, func(h string) error { l, err = os.Readlink(h); return err })
	return l, err
}

func (c chrootFS) Open(name string) (f io.ReadCloser, err error) {
	err = c.do(name, true, func(h string) error { f, err = os.Open(h); return err })
	return f, err
}

func (c chrootFS) Create(name string, perm fs.FileMode) (f io.WriteCloser, err error) {
	err = c.do(name, true, func(h string) error {
		f, err = os.OpenFile(h, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
		return err
	})
	return f, err
}

func (c chrootFS) Mkdir(name string, perm fs.FileMode) error {
	return c.do(name, false, func(h string) error { return os.Mkdir(h, perm) })
}

func (c chrootFS) MkdirAll(name string, perm fs.FileMode) error {
	p := "/"
	for _, part := range strings.Split(path.Clean("/"+name), "/") {
		if part == "" {
			continue
		}
		p = path.Join(p, part)
		fi, err := c.Stat(p)
		if err == nil && fi.IsDir() {
			continue
		}
		if err := c.Mkdir(p, perm); err != nil {
			return err
		}
	}
	return nil
}

func (c chrootFS) Symlink(target, name string) error {
	return c.do(name, false, func(h string) error { return os.Symlink(target, h) })
}

func (c chrootFS) RemoveAll(name string) error {
	return c.do(name, false, os.RemoveAll)
}

func (c chrootFS) Chmod(name string, mode fs.FileMode) error {
	return c.do(name, true, func(h string) error { return os.Chmod(h, mode) })
}

func (c chrootFS) Chtimes(name string, a, m time.Time) error {
	return c.do(name, true, func(h string) error { return os.Chtimes(h, a, m) })
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
		err := Extract(bytes.NewReader(data), chrootFS{root}, "/dest", noOverwrite)
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
	err := Extract(bytes.NewReader(tt.Tar(tt.Symlink("l", "/outside"), tt.Reg("l/planted"))), chrootFS{root}, "/dest", false)
	if err == nil || !strings.Contains(err.Error(), "outside /dest") {
		t.Errorf("err %v, want a refusal naming the escape", err)
	}
	if _, err := os.Lstat(filepath.Join(root, "outside", "planted")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("planted file reached /outside: %v", err)
	}
	// A link that stays inside is followed.
	must(t, Extract(bytes.NewReader(tt.Tar(tt.Dir("sub/"), tt.Symlink("in", "sub"), tt.Reg("in/f"))), chrootFS{root}, "/dest", false))
	if _, err := os.Stat(filepath.Join(root, "dest", "sub", "f")); err != nil {
		t.Errorf("entry through an inside link: %v", err)
	}
}
