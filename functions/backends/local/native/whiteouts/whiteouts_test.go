//go:build linux

package whiteouts_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockerless/sockerless/functions/backends/local/native/whiteouts"
)

// write makes files under root: a name ending in "/" is a directory.
func write(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// list names every entry under root with its kind: "c" a 0:0 character
// device, "o" an opaque directory, "d" another directory, "f" a file.
func list(t *testing.T, root string) string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		kind := "f"
		switch {
		case e.Type()&fs.ModeCharDevice != 0:
			kind = "c"
		case e.IsDir():
			kind = "d"
			buf := make([]byte, 4)
			if n, err := unix.Lgetxattr(p, "trusted.overlay.opaque", buf); err == nil && string(buf[:n]) == "y" {
				kind = "o"
			}
		}
		out = append(out, kind+":"+rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestRoundTrip converts a layer to the kernel's form and back, and
// mounts the kernel's form to see the kernel hide what it should.
func TestRoundTrip(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("character devices and trusted xattrs need root")
	}
	cases := []struct {
		name               string
		upper, lower       []string
		kernel, files      string
		visible, invisible []string
	}{
		{
			name: "a whiteout hides a lower file", upper: []string{"etc/.wh.motd"}, lower: []string{"etc/motd", "etc/hosts"},
			kernel: "c:etc/motd d:etc", files: "d:etc f:etc/.wh.motd",
			visible: []string{"etc/hosts"}, invisible: []string{"etc/motd"},
		},
		{
			name: "an opaque marker hides a lower directory's entries", upper: []string{"srv/.wh..wh..opq", "srv/new"}, lower: []string{"srv/old"},
			kernel: "f:srv/new o:srv", files: "d:srv f:srv/.wh..wh..opq f:srv/new",
			visible: []string{"srv/new"}, invisible: []string{"srv/old"},
		},
		{
			name: "a directory beside its whiteout replaced the lower one", upper: []string{".wh.var", "var/new"}, lower: []string{"var/old"},
			kernel: "f:var/new o:var", files: "d:var f:var/.wh..wh..opq f:var/new",
			visible: []string{"var/new"}, invisible: []string{"var/old"},
		},
		{
			name: "the sandbox's temporaries are dropped", upper: []string{"tmp/.wh..wh.copy123", "tmp/kept"},
			kernel: "d:tmp f:tmp/kept", files: "d:tmp f:tmp/kept",
			visible: []string{"tmp/kept"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			upper, lower, work, merged := filepath.Join(dir, "upper"), filepath.Join(dir, "lower"), filepath.Join(dir, "work"), filepath.Join(dir, "merged")
			write(t, upper, tc.upper...)
			write(t, lower, append([]string{"./"}, tc.lower...)...)
			for _, d := range []string{work, merged} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := whiteouts.ToKernel(upper); err != nil {
				t.Fatal(err)
			}
			if got := list(t, upper); got != tc.kernel {
				t.Errorf("kernel form %q, want %q", got, tc.kernel)
			}
			opts := "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work
			if err := unix.Mount("overlay", merged, "overlay", 0, opts); err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.visible {
				if _, err := os.Lstat(filepath.Join(merged, p)); err != nil {
					t.Errorf("%s not visible in the overlay: %v", p, err)
				}
			}
			for _, p := range tc.invisible {
				if _, err := os.Lstat(filepath.Join(merged, p)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s visible in the overlay: %v", p, err)
				}
			}
			if err := unix.Unmount(merged, 0); err != nil {
				t.Fatal(err)
			}
			if err := whiteouts.ToFiles(upper); err != nil {
				t.Fatal(err)
			}
			if got := list(t, upper); got != tc.files {
				t.Errorf("back at rest %q, want %q", got, tc.files)
			}
		})
	}
}
