package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tree builds a container root with escape attempts pointing at a
// "host" directory beside it that holds a secret.
func tree(t *testing.T) (root, host string) {
	t.Helper()
	base := t.TempDir()
	root, host = filepath.Join(base, "root"), filepath.Join(base, "host")
	buildTree(t, root, root, host)
	return root, host
}

// buildTree writes the container's files under filesDir and its escape
// links under linksDir (the same dir, or two layers of one root).
func buildTree(t *testing.T, filesDir, linksDir, host string) {
	t.Helper()
	for _, d := range []string{filesDir + "/etc", filesDir + "/data", filesDir + "/dir/sub", linksDir + "/dir/sub", host} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, host+"/secret", "host secret")
	write(t, filesDir+"/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
	links := map[string]string{
		"abs-etc":      "/etc",                  // absolute: must mean the container's /etc
		"up":           "../../../../..",        // climbs above the root
		"up-secret":    "../host/secret",        // relative escape to a sibling
		"host-abs":     host + "/secret",        // absolute host path
		"chain1":       "chain2",                // chain ending in an escape
		"chain2":       "dir/../up/etc/passwd",  //
		"loop":         "loop",                  // ELOOP
		"dir/sub/back": "../../../../../../etc", // nested climb
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(linksDir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// layout is one way to lay the escape tree out: plain, all in the lower
// layer, or split between the layers so that links in one layer point
// at files in the other.
type layout struct {
	name  string
	build func(t *testing.T) (f *FS, root, host string) // root is where writes land
}

var layouts = []layout{
	{"plain", func(t *testing.T) (*FS, string, string) {
		root, host := tree(t)
		return mustFS(t, root, "", nil), root, host
	}},
	{"all in lower", func(t *testing.T) (*FS, string, string) {
		base := t.TempDir()
		up, lo, host := filepath.Join(base, "upper"), filepath.Join(base, "root"), filepath.Join(base, "host")
		buildTree(t, lo, lo, host)
		mkdir(t, up)
		return mustFS(t, up, lo, nil), up, host
	}},
	{"links in lower, files in upper", func(t *testing.T) (*FS, string, string) {
		base := t.TempDir()
		up, lo, host := filepath.Join(base, "root"), filepath.Join(base, "lower"), filepath.Join(base, "host")
		buildTree(t, up, lo, host)
		return mustFS(t, up, lo, nil), up, host
	}},
	{"links in upper, files in lower", func(t *testing.T) (*FS, string, string) {
		base := t.TempDir()
		up, lo, host := filepath.Join(base, "upper"), filepath.Join(base, "root"), filepath.Join(base, "host")
		buildTree(t, lo, up, host)
		return mustFS(t, up, lo, nil), up, host
	}},
}

func mustFS(t *testing.T, upper, lower string, mounts []Mount) *FS {
	t.Helper()
	f, err := NewLayered(upper, lower, mounts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolveStaysInRoot(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			f, _, host := l.build(t)
			testResolve(t, f, host)
		})
	}
}

func testResolve(t *testing.T, f *FS, host string) {
	for _, tc := range []struct {
		name, path, want string
		follow           bool
		wantErr          error
	}{
		{name: "dotdot above root", path: "/../../etc/passwd", want: "/etc/passwd", follow: true},
		{name: "absolute symlink means container path", path: "/abs-etc/passwd", want: "/etc/passwd", follow: true},
		{name: "relative symlink climbing", path: "/up/etc/passwd", want: "/etc/passwd", follow: true},
		{name: "relative escape to sibling", path: "/up-secret", want: "/host/secret", follow: true},
		{name: "absolute host path in link", path: "/host-abs", want: host + "/secret", follow: true},
		{name: "chain of links", path: "/chain1", want: "/etc/passwd", follow: true},
		{name: "nested climb", path: "/dir/sub/back/passwd", want: "/etc/passwd", follow: true},
		{name: "last link kept when not following", path: "/abs-etc", want: "/abs-etc", follow: false},
		{name: "missing components kept lexically", path: "/nope/../x/y", want: "/x/y", follow: true},
		{name: "symlink loop", path: "/loop", follow: true, wantErr: syscall.ELOOP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.Resolve(tc.path, tc.follow)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Resolve(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
			}
		})
	}
}

func TestReadsNeverReachHost(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			f, root, host := l.build(t)
			testReads(t, f, root, host)
		})
	}
}

func testReads(t *testing.T, f *FS, root, host string) {
	for _, p := range []string{"/up-secret", "/host-abs", "/../host/secret", "/up/" + filepath.Base(host) + "/secret"} {
		b, err := f.ReadFile(p)
		if err == nil && strings.Contains(string(b), "host secret") {
			t.Errorf("%s read the host's secret", p)
		}
		h, err := f.HostPath(p)
		if err == nil && !strings.HasPrefix(h, f.Root()+"/") && (f.Lower() == "" || !strings.HasPrefix(h, f.Lower()+"/")) {
			t.Errorf("HostPath(%s) = %s, outside %s and %q", p, h, f.Root(), f.Lower())
		}
	}
	// A write through an escaping link lands inside the root.
	if err := f.MkdirAll("/up-secret-dir/../abs-etc/new", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/new")); err != nil {
		t.Errorf("write did not land in the container's /etc: %v", err)
	}
	if b, err := f.ReadFile("/abs-etc/passwd"); err != nil || !strings.HasPrefix(string(b), "root:") {
		t.Errorf("the container's /etc/passwd after the write: %q, %v", b, err)
	}
}

func TestMounts(t *testing.T) {
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			bare, _, _ := l.build(t)
			testMounts(t, bare)
		})
	}
}

func testMounts(t *testing.T, bare *FS) {
	rw, ro := t.TempDir(), t.TempDir()
	write(t, ro+"/conf", "ro data")
	write(t, rw+"/in", "rw data")
	f := mustFS(t, bare.Root(), bare.Lower(), []Mount{{Source: rw, Target: "/data"}, {Source: ro, Target: "/data/ro", ReadOnly: true}})
	for _, tc := range []struct {
		name, path, want string
	}{
		{"mount content visible", "/data/in", "rw data"},
		{"nested read-only mount wins", "/data/ro/conf", "ro data"},
		{"through absolute link into mount", "/abs-etc/../data/ro/conf", "ro data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := f.ReadFile(tc.path)
			if err != nil || string(b) != tc.want {
				t.Fatalf("ReadFile(%s) = %q, %v", tc.path, b, err)
			}
		})
	}
	writes := map[string]func() error{
		"create": func() error {
			_, err := f.OpenFile("/data/ro/new", os.O_CREATE|os.O_WRONLY, 0o644, Stdio{})
			return err
		},
		"truncate": func() error { _, err := f.OpenFile("/data/ro/conf", os.O_WRONLY|os.O_TRUNC, 0, Stdio{}); return err },
		"remove":   func() error { return f.Remove("/data/ro/conf") },
		"mkdir":    func() error { return f.Mkdir("/data/ro/d", 0o755) },
		"rename":   func() error { return f.Rename("/data/ro/conf", "/data/x") },
		"chmod":    func() error { return f.Chmod("/data/ro/conf", 0o600) },
	}
	for name, w := range writes {
		if err := w(); !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s on read-only mount: err = %v, want EROFS", name, err)
		}
	}
	if err := f.MkdirAll("/data/newdir", 0o755); err != nil {
		t.Errorf("write to rw mount: %v", err)
	}
	if _, err := os.Stat(rw + "/newdir"); err != nil {
		t.Errorf("rw mount write did not reach the source: %v", err)
	}
	if err := f.Rename("/data/in", "/etc/in"); !errors.Is(err, syscall.EXDEV) {
		t.Errorf("rename out of a mount: err = %v, want EXDEV", err)
	}
	if err := f.Rename("/data/in", "/data/newdir/in"); err != nil {
		t.Errorf("rename within a mount: %v", err)
	}
}

func TestVirtualFiles(t *testing.T) {
	root, _ := tree(t)
	f, err := New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	w, err := f.OpenFile("/dev/stdout", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644, Stdio{Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("to stdout"))
	w.Close()
	if out.String() != "to stdout" {
		t.Errorf("/dev/stdout got %q", out.String())
	}
	if fi, err := f.Stat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("/dev/null stat = %v, %v", fi, err)
	}
	for _, p := range []string{"/proc/self/environ", "/proc/1/root/etc/passwd", "/proc/self/fd/1"} {
		if _, err := f.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644, Stdio{Out: &out}); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("open %s: err = %v, want not exist", p, err)
		}
	}
	if _, err := f.HostPath("/dev/null"); err == nil {
		t.Error("HostPath(/dev/null) should fail: it is virtual")
	}
}
