package archive

import (
	"archive/tar"
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

// seedTar builds a tar from headers; a regular file's body is its name.
func seedTar(hdrs ...*tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = h.Name
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o755
		}
		_ = tw.WriteHeader(h)
		_, _ = io.WriteString(tw, body)
	}
	_ = tw.Close()
	return buf.Bytes()
}

func reg(name string) *tar.Header    { return &tar.Header{Typeflag: tar.TypeReg, Name: name} }
func dirHdr(name string) *tar.Header { return &tar.Header{Typeflag: tar.TypeDir, Name: name} }
func sym(name, to string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: to}
}
func hardl(name, to string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: to}
}

// snapshot records everything under dir: type, mode, size, mtime, and
// file contents and link targets.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		v := fi.Mode().String() + " " + fi.ModTime().UTC().Format(time.RFC3339Nano)
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			v += " -> " + l
		}
		out[strings.TrimPrefix(p, dir)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzExtract: whatever the bytes, Extract into /dest neither panics
// nor changes anything outside /dest.
func FuzzExtract(f *testing.F) {
	seeds := [][]byte{
		seedTar(dirHdr("a/"), reg("a/b"), sym("a/l", "b"), hardl("a/h", "a/b")),
		seedTar(reg("../../escape"), reg("/abs"), reg("./x/../../y")),
		seedTar(sym("l", "/outside"), reg("l/planted")),
		seedTar(sym("l", "../outside"), reg("l/planted")),
		seedTar(sym("l", "."), sym("m", "l/../../outside"), reg("m/planted")),
		seedTar(sym("a", "b"), sym("b", "a"), reg("a/loop")),
		seedTar(sym("in", "sub"), dirHdr("sub/"), sym("sub/up", "/outside/sub"), reg("in/up/planted")),
		seedTar(hardl("h", "/outside/keep"), reg("h")),
		seedTar(sym("keep", "/outside/keep"), reg("keep")),
		seedTar(dirHdr("/"), dirHdr("./"), dirHdr("../")),
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
		before := snapshot(t, filepath.Join(root, "outside"))
		err := Extract(bytes.NewReader(data), chrootFS{root}, "/dest", noOverwrite)
		_ = err // refusing an archive is fine; writing outside is not
		after := snapshot(t, filepath.Join(root, "outside"))
		for p, v := range before {
			if after[p] != v {
				t.Errorf("outside%s changed: %q -> %q", p, v, after[p])
			}
		}
		for p, v := range after {
			if _, ok := before[p]; !ok {
				t.Errorf("outside%s appeared: %q", p, v)
			}
		}
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
	err := Extract(bytes.NewReader(seedTar(sym("l", "/outside"), reg("l/planted"))), chrootFS{root}, "/dest", false)
	if err == nil || !strings.Contains(err.Error(), "outside /dest") {
		t.Errorf("err %v, want a refusal naming the escape", err)
	}
	if _, err := os.Lstat(filepath.Join(root, "outside", "planted")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("planted file reached /outside: %v", err)
	}
	// A link that stays inside is followed.
	must(t, Extract(bytes.NewReader(seedTar(dirHdr("sub/"), sym("in", "sub"), reg("in/f"))), chrootFS{root}, "/dest", false))
	if _, err := os.Stat(filepath.Join(root, "dest", "sub", "f")); err != nil {
		t.Errorf("entry through an inside link: %v", err)
	}
}
