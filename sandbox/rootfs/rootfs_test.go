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
	for _, d := range []string{root + "/etc", root + "/data", root + "/dir/sub", host} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, host+"/secret", "host secret")
	write(t, root+"/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
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
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, host
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolveStaysInRoot(t *testing.T) {
	root, host := tree(t)
	f, err := New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	root, host := tree(t)
	f, err := New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/up-secret", "/host-abs", "/../host/secret", "/up/" + filepath.Base(host) + "/secret"} {
		b, err := f.ReadFile(p)
		if err == nil && strings.Contains(string(b), "host secret") {
			t.Errorf("%s read the host's secret", p)
		}
		if h, err := f.HostPath(p); err == nil && !strings.HasPrefix(h, f.Root()+"/") {
			t.Errorf("HostPath(%s) = %s, outside %s", p, h, f.Root())
		}
	}
	// A write through an escaping link lands inside the root.
	if err := f.MkdirAll("/up-secret-dir/../abs-etc/new", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/new")); err != nil {
		t.Errorf("write did not land in the container's /etc: %v", err)
	}
}

func TestMounts(t *testing.T) {
	root, _ := tree(t)
	rw, ro := t.TempDir(), t.TempDir()
	write(t, ro+"/conf", "ro data")
	write(t, rw+"/in", "rw data")
	f, err := New(root, []Mount{{Source: rw, Target: "/data"}, {Source: ro, Target: "/data/ro", ReadOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
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
