package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
)

// past is the mtime of every lower entry, so that copy-up can be seen to
// keep it and a write to lower would be seen to change it.
var past = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// image builds a lower template: names ending in "/" are directories,
// values starting with "->" symlinks.
func image(t *testing.T) string {
	t.Helper()
	lo := filepath.Join(t.TempDir(), "lower")
	entries := map[string]string{
		"etc/passwd":         "root:x:0:0:root:/root:/bin/sh\n",
		"etc/hosts":          "127.0.0.1 localhost\n",
		"bin/busybox":        "#!busybox",
		"bin/sh":             "->busybox",
		"usr/share/doc/a":    "doc a",
		"usr/share/doc/b":    "doc b",
		"usr/bin/":           "",
		"empty/":             "",
		"link-etc":           "->/etc",
		"link-up":            "->../../../..",
		"var/run":            "->../run",
		"run/":               "",
		"etc/.wh.shadow":     "", // a stray whiteout in the template is hidden too
		"usr/share/doc/sub/": "",
	}
	for name, v := range entries {
		p := filepath.Join(lo, name)
		mkdir(t, filepath.Dir(p))
		switch {
		case strings.HasSuffix(name, "/"):
			mkdir(t, p)
		case strings.HasPrefix(v, "->"):
			if err := os.Symlink(v[2:], p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(v), 0o640); err != nil {
				t.Fatal(err)
			}
		}
	}
	filepath.Walk(lo, func(p string, _ fs.FileInfo, _ error) error {
		return setTimesTo(p, past)
	})
	return lo
}

func setTimesTo(p string, tm time.Time) error {
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink != 0 {
		return err
	}
	return os.Chtimes(p, tm, tm)
}

// layered returns a fresh upper over a shared lower, and a check, run at
// cleanup, that lower is exactly as it was.
func layered(t *testing.T, lo string) (*FS, string) {
	t.Helper()
	before := tt.Snapshot(t, lo)
	t.Cleanup(func() { tt.Unchanged(t, lo, before) })
	up := filepath.Join(t.TempDir(), "upper")
	mkdir(t, up)
	return mustFS(t, up, lo, nil), up
}

func names(t *testing.T, f *FS, dir string) []string {
	t.Helper()
	ents, err := f.ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir(%s): %v", dir, err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func read(f *FS, p string) string {
	b, err := f.ReadFile(p)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

func TestLayeredReadThrough(t *testing.T) {
	lo := image(t)
	f, up := layered(t, lo)
	for _, tc := range []struct {
		name string
		got  func() any
		want any
	}{
		{"lower file", func() any { return read(f, "/etc/passwd") }, "root:x:0:0:root:/root:/bin/sh\n"},
		{"through absolute link", func() any { return read(f, "/link-etc/hosts") }, "127.0.0.1 localhost\n"},
		{"link that climbs stays at root", func() any { return read(f, "/link-up/etc/hosts") }, "127.0.0.1 localhost\n"},
		{"readlink", func() any { t, _ := f.Readlink("/bin/sh"); return t }, "busybox"},
		{"lstat of link", func() any { fi, _ := f.Lstat("/bin/sh"); return fi.Mode()&fs.ModeSymlink != 0 }, true},
		{"stat follows link", func() any { fi, _ := f.Stat("/bin/sh"); return fi.Size() }, int64(len("#!busybox"))},
		{"mode kept", func() any { fi, _ := f.Stat("/etc/passwd"); return fi.Mode() }, fs.FileMode(0o640)},
		{"readdir", func() any { return names(t, f, "/usr/share/doc") }, []string{"a", "b", "sub"}},
		{"template whiteout hidden", func() any { return names(t, f, "/etc") }, []string{"hosts", "passwd"}},
		{"template whiteout not openable", func() any { _, err := f.Stat("/etc/.wh.shadow"); return errors.Is(err, fs.ErrNotExist) }, true},
		{"missing", func() any { _, err := f.Stat("/etc/nope"); return errors.Is(err, fs.ErrNotExist) }, true},
		{"through a file", func() any { _, err := f.Stat("/etc/passwd/x"); return errors.Is(err, syscall.ENOTDIR) }, true},
		{"hostpath of lower file", func() any { h, _ := f.HostPath("/bin/sh"); return h }, filepath.Join(lo, "bin/busybox")},
		{"hostpath of missing file", func() any { h, _ := f.HostPath("/new"); return h }, filepath.Join(up, "new")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.got(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if ents, _ := os.ReadDir(up); len(ents) != 0 {
		t.Errorf("reads wrote to upper: %v", ents)
	}
}

func appendTo(f *FS, p, s string) error {
	w, err := f.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0, Stdio{})
	if err != nil {
		return err
	}
	_, err = w.Write([]byte(s))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

func create(f *FS, p, s string) error {
	w, err := f.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644, Stdio{})
	if err != nil {
		return err
	}
	_, err = w.Write([]byte(s))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

func exists(f *FS, p string) bool {
	_, err := f.Lstat(p)
	return err == nil
}

// TestLayeredWrites runs each write on a fresh upper over one lower and
// checks the view afterwards; the lower is checked unchanged after each.
func TestLayeredWrites(t *testing.T) {
	lo := image(t)
	newer := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		op    func(f *FS) error
		check func(t *testing.T, f *FS, up string)
	}{
		{"append copies up content, mode and parents", func(f *FS) error { return appendTo(f, "/etc/passwd", "x\n") },
			func(t *testing.T, f *FS, up string) {
				if got := read(f, "/etc/passwd"); got != "root:x:0:0:root:/root:/bin/sh\nx\n" {
					t.Errorf("content %q", got)
				}
				if fi, _ := f.Stat("/etc/passwd"); fi.Mode() != 0o640 {
					t.Errorf("mode %v", fi.Mode())
				}
				if fi, err := os.Lstat(up + "/etc"); err != nil || !fi.IsDir() {
					t.Errorf("parent not in upper: %v", err)
				}
				if got := names(t, f, "/etc"); !reflect.DeepEqual(got, []string{"hosts", "passwd"}) {
					t.Errorf("copied-up dir no longer merged: %v", got)
				}
			}},
		{"truncate", func(f *FS) error { return create(f, "/etc/hosts", "new") },
			func(t *testing.T, f *FS, _ string) {
				if got := read(f, "/etc/hosts"); got != "new" {
					t.Errorf("content %q", got)
				}
			}},
		{"write through lower symlink lands in upper", func(f *FS) error { return create(f, "/link-etc/new", "n") },
			func(t *testing.T, f *FS, up string) {
				if b, err := os.ReadFile(up + "/etc/new"); err != nil || string(b) != "n" {
					t.Errorf("upper /etc/new: %q, %v", b, err)
				}
			}},
		{"create in lower-only dir chain", func(f *FS) error { return create(f, "/usr/share/doc/sub/c", "c") },
			func(t *testing.T, f *FS, up string) {
				if got := names(t, f, "/usr/share/doc"); !reflect.DeepEqual(got, []string{"a", "b", "sub"}) {
					t.Errorf("doc lists %v", got)
				}
				if got := read(f, "/usr/share/doc/sub/c"); got != "c" {
					t.Errorf("c = %q", got)
				}
				if exists(f, "/usr/share/doc/a") && lexists(up+"/usr/share/doc/a") {
					t.Error("a sibling was copied up")
				}
			}},
		{"chmod", func(f *FS) error { return f.Chmod("/usr/share/doc/a", 0o600) },
			func(t *testing.T, f *FS, _ string) {
				if fi, _ := f.Stat("/usr/share/doc/a"); fi.Mode() != 0o600 {
					t.Errorf("mode %v", fi.Mode())
				}
				if got := read(f, "/usr/share/doc/a"); got != "doc a" {
					t.Errorf("content %q", got)
				}
			}},
		// The test's own ids, which any user may give: what chown
		// changes is the host's to allow, the layering is the FS's.
		{"chown via link copies up the target", func(f *FS) error { return f.Chown("/bin/sh", os.Getuid(), os.Getgid(), true) },
			func(t *testing.T, f *FS, up string) {
				if !lexists(up + "/bin/busybox") {
					t.Error("target not copied up")
				}
				if fi, _ := f.Lstat("/bin/sh"); fi.Mode()&fs.ModeSymlink == 0 {
					t.Error("link replaced")
				}
			}},
		{"lchown changes the link, not its target", func(f *FS) error { return f.Chown("/bin/sh", os.Getuid(), os.Getgid(), false) },
			func(t *testing.T, f *FS, up string) {
				if lexists(up + "/bin/busybox") {
					t.Error("target copied up")
				}
				if fi, _ := os.Lstat(up + "/bin/sh"); fi == nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Error("link not copied up as a link")
				}
			}},
		{"chtimes via link", func(f *FS) error { return f.Chtimes("/bin/sh", newer, newer) },
			func(t *testing.T, f *FS, _ string) {
				if fi, _ := f.Stat("/bin/busybox"); !fi.ModTime().Equal(newer) {
					t.Errorf("mtime %v", fi.ModTime())
				}
				if fi, _ := f.Lstat("/bin/sh"); fi.Mode()&fs.ModeSymlink == 0 {
					t.Error("link replaced")
				}
			}},
		{"copy-up keeps mtime", func(f *FS) error { return f.Chmod("/etc/hosts", 0o644) },
			func(t *testing.T, f *FS, _ string) {
				if fi, _ := f.Stat("/etc/hosts"); !fi.ModTime().Equal(past) {
					t.Errorf("mtime %v, want %v", fi.ModTime(), past)
				}
			}},
		{"mkdir -p under lower", func(f *FS) error { return f.MkdirAll("/usr/bin/x/y", 0o755) },
			func(t *testing.T, f *FS, _ string) {
				if fi, err := f.Stat("/usr/bin/x/y"); err != nil || !fi.IsDir() {
					t.Errorf("stat: %v", err)
				}
			}},
		{"mkdir existing lower dir", func(f *FS) error {
			if err := f.Mkdir("/usr", 0o755); !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("mkdir /usr: %v, want exist", err)
			}
			return f.MkdirAll("/usr/share", 0o755)
		}, func(*testing.T, *FS, string) {}},
		{"symlink", func(f *FS) error { return f.Symlink("/etc/hosts", "/usr/share/h") },
			func(t *testing.T, f *FS, _ string) {
				if got := read(f, "/usr/share/h"); got != "127.0.0.1 localhost\n" {
					t.Errorf("through new link: %q", got)
				}
			}},
		{"create excl on lower file", func(f *FS) error {
			_, err := f.OpenFile("/etc/hosts", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644, Stdio{})
			if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("err = %v, want exist", err)
			}
			return nil
		}, func(*testing.T, *FS, string) {}},
		{"hostpath for write copies up", func(f *FS) error {
			h, err := f.HostPathForWrite("/bin/sh")
			if err != nil {
				return err
			}
			return os.WriteFile(h, []byte("patched"), 0)
		}, func(t *testing.T, f *FS, _ string) {
			if got := read(f, "/bin/busybox"); got != "patched" {
				t.Errorf("busybox = %q", got)
			}
		}},
		{"hostpath for write of new file", func(f *FS) error {
			h, err := f.HostPathForWrite("/usr/share/doc/new")
			if err != nil {
				return err
			}
			return os.WriteFile(h, []byte("n"), 0o644)
		}, func(t *testing.T, f *FS, _ string) {
			if got := names(t, f, "/usr/share/doc"); !reflect.DeepEqual(got, []string{"a", "b", "new", "sub"}) {
				t.Errorf("doc lists %v", got)
			}
		}},
		{"reserved names", func(f *FS) error {
			if err := create(f, "/etc/.wh.passwd", ""); err == nil {
				return errors.New("created a whiteout through the FS")
			}
			if err := f.Mkdir("/.wh..wh..opq", 0o755); err == nil {
				return errors.New("created an opaque marker through the FS")
			}
			return nil
		}, func(t *testing.T, f *FS, _ string) {
			if !exists(f, "/etc/passwd") {
				t.Error("passwd hidden")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, up := layered(t, lo)
			if err := tc.op(f); err != nil {
				t.Fatal(err)
			}
			tc.check(t, f, up)
		})
	}
}

// TestLayeredUpperDirOverLowerLink: a directory in upper over a symlink in
// lower must not merge, or the host directory the link names would show.
func TestLayeredUpperDirOverLowerLink(t *testing.T) {
	base := t.TempDir()
	up, lo, host := base+"/upper", base+"/lower", base+"/host"
	for _, d := range []string{up + "/hostlink", lo, host} {
		mkdir(t, d)
	}
	write(t, host+"/secret", "host secret")
	if err := os.Symlink(host, lo+"/hostlink"); err != nil {
		t.Fatal(err)
	}
	f := mustFS(t, up, lo, nil)
	if got := names(t, f, "/hostlink"); len(got) != 0 {
		t.Errorf("ls /hostlink = %v", got)
	}
	if _, err := f.ReadFile("/hostlink/secret"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read through upper dir over lower link: %v", err)
	}
	// Removing the upper dir hides the lower link too.
	if err := f.Remove("/hostlink"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Lstat("/hostlink"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lower link shows after rmdir: %v", err)
	}
	// Without the upper dir, the lower link means the container's /host.
	if err := os.RemoveAll(up); err != nil {
		t.Fatal(err)
	}
	mkdir(t, up)
	if _, err := f.ReadFile("/hostlink/secret"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read through the lower link: %v", err)
	}
	if p, err := f.Resolve("/hostlink/secret", true); err != nil || p != host+"/secret" {
		t.Errorf("Resolve = %q, %v; want the container path %s", p, err, host+"/secret")
	}
}

// TestConcurrentCopyUp: processes of one container appending to the same
// lower file at once must not lose a write to a second copy-up.
func TestConcurrentCopyUp(t *testing.T) {
	lo := image(t)
	_, up := layered(t, lo)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			f, err := NewLayered(up, lo, nil) // each process has its own view
			if err == nil {
				err = appendTo(f, "/etc/hosts", fmt.Sprintf("line %d\n", i))
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got := read(mustFS(t, up, lo, nil), "/etc/hosts")
	for i := range n {
		if !strings.Contains(got, fmt.Sprintf("line %d\n", i)) {
			t.Errorf("line %d lost: %q", i, got)
		}
	}
}
