package fnproc

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// TestNativeBox runs a Box as a native container over an image holding
// only the host's static busybox: its output reaches the Output, its
// exit code is Wait's error, it has its own /tmp and the mounts it is
// given, Kill ends it, and its files are gone after Wait.
func TestNativeBox(t *testing.T) {
	rt, err := taskrun.NewRuntime(taskrun.RuntimeNative, filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Skip(err)
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("no static busybox on this host (busybox-static):", err)
	}
	image := t.TempDir()
	if err := os.MkdirAll(filepath.Join(image, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(image, "bin", "busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	efs := t.TempDir()
	for _, c := range []struct {
		name, script string
		kill         bool
		wantErr      string
		wantLines    []string
	}{
		{"output and a clean exit", "echo hi; echo err >&2", false, "", []string{"hi", "err"}},
		{"a non-zero exit is Wait's error", "exit 3", false, "exit status 3", nil},
		{"its own /tmp and the mounts it is given", "echo x > /tmp/f && cat /tmp/f && echo y > /mnt/efs/f && cat /mnt/efs/f", false, "", []string{"x", "y"}},
		{"Kill ends it", "echo up; sleep 1000", true, "exit status 137", []string{"up"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var l lines
			out, err := NewOutput(l.add)
			if err != nil {
				t.Fatal(err)
			}
			roots := t.TempDir()
			p, err := Box{
				Image: image, Args: []string{"/bin/busybox", "sh", "-c", c.script}, Dir: "/", Roots: roots,
				Mounts: []sandbox.Mount{{Source: efs, Target: "/mnt/efs"}}, Runtime: rt,
			}.Start([]string{"PATH=/bin"}, out.W())
			if err != nil {
				t.Fatal(err)
			}
			if c.kill {
				for deadline := time.Now().Add(10 * time.Second); len(l.all()) == 0 && time.Now().Before(deadline); {
					out.Flush(100 * time.Millisecond)
				}
				p.Kill()
			}
			err = p.Wait()
			if (err == nil) != (c.wantErr == "") || (err != nil && err.Error() != c.wantErr) {
				t.Fatalf("Wait = %v, want %q", err, c.wantErr)
			}
			out.Flush(2 * time.Second)
			out.Close()
			if got := l.all(); !slices.Equal(got, c.wantLines) {
				t.Errorf("lines %q, want %q", got, c.wantLines)
			}
			if left, _ := os.ReadDir(roots); len(left) != 0 {
				t.Errorf("the instance's files are still there after Wait: %v", left)
			}
		})
	}
}
