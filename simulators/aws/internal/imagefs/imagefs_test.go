package imagefs

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUntarStaysInside(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	parent := t.TempDir()
	// A link out of the root, then files written through it: they must
	// land inside the root, as the link resolves there in a container.
	tw.WriteHeader(&tar.Header{Name: "out", Typeflag: tar.TypeSymlink, Linkname: parent})
	tw.WriteHeader(&tar.Header{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "../../.."})
	for _, name := range []string{"../escape", "/abs/file", "ok/file", "out/via-abs", "up/via-rel"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
	}
	tw.Close()
	dir := filepath.Join(parent, "root")
	if err := Untar(&buf, dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"escape", "abs/file", "ok/file", strings.TrimPrefix(parent, "/") + "/via-abs", "via-rel"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s not under the root: %v", p, err)
		}
	}
	for _, p := range []string{"escape", "via-abs", "via-rel"} {
		if _, err := os.Stat(filepath.Join(parent, p)); err == nil {
			t.Errorf("%s was written outside the root", p)
		}
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
