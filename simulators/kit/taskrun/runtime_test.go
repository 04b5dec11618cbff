package taskrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

func TestNewRuntime(t *testing.T) {
	nativeHere := nsrun.Supported() == nil
	for _, c := range []struct {
		name       string
		runtime    string
		wantNative bool
		wantErr    string
	}{
		{"sandbox is the sandbox", RuntimeSandbox, false, ""},
		{"auto is native where it can run", RuntimeAuto, nativeHere, ""},
		{"empty is auto", "", nativeHere, ""},
		{"an unknown runtime is refused, naming the known ones", "docker", false, "want auto, sandbox or native"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt, err := NewRuntime(c.runtime, t.TempDir())
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("NewRuntime(%q) error %v, want one saying %q", c.runtime, err, c.wantErr)
				}
				return
			}
			if err != nil || rt.Native != c.wantNative {
				t.Fatalf("NewRuntime(%q) = native %v, %v; want native %v", c.runtime, rt.Native, err, c.wantNative)
			}
		})
	}
	t.Run("native where it cannot run says why and names the sandbox", func(t *testing.T) {
		_, err := NewRuntime(RuntimeNative, t.TempDir())
		if nativeHere {
			if err != nil {
				t.Fatal(err)
			}
			t.Skip("native can run here")
		}
		if err == nil || !strings.Contains(err.Error(), "--runtime sandbox") {
			t.Fatalf("NewRuntime(native) error %v, want one naming --runtime sandbox", err)
		}
	})
}

// TestNativeContainer runs busybox containers natively over an image
// holding only the host's static busybox: output, exit codes, the
// image's files shadowed by the container's own writes, a bind mount,
// SIGTERM, and nothing mounted once each has ended.
func TestNativeContainer(t *testing.T) {
	rt, err := NewRuntime(RuntimeNative, filepath.Join(t.TempDir(), "state"))
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
	if err := os.WriteFile(filepath.Join(image, "greeting"), []byte("from the image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vol := t.TempDir()
	for i, c := range []struct {
		name     string
		script   string
		term     bool
		wantCode int
		wantOut  string
	}{
		{"output and exit code", "echo hi; exit 3", false, 3, "hi\n"},
		{"the image's files, and the container's writes over them", "cat /greeting; echo mine > /greeting; cat /greeting", false, 0, "from the image\nmine\n"},
		{"a bind mount", "echo shared > /vol/f; cat /vol/f", false, 0, "shared\n"},
		{"its own PID namespace", "echo $$", false, 0, "1\n"},
		{"SIGTERM ends it as 143", "trap 'exit 143' TERM; echo up; while :; do sleep 0.1; done", true, 143, "up\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out syncBuffer
			root := t.TempDir()
			p, err := rt.Start(context.Background(), Container{
				ID: "taskrun-test-" + string(rune('a'+i)), Image: image, Root: root,
				Args: []string{"/bin/busybox", "sh", "-c", c.script}, Env: []string{"PATH=/bin"},
				Hostname: "task", Mounts: []sandbox.Mount{{Source: vol, Target: "/vol"}}, Stdout: &out, Stderr: &out,
			})
			if err != nil {
				t.Fatal(err)
			}
			if c.term {
				for deadline := time.Now().Add(10 * time.Second); out.String() == "" && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
				}
				Stop(p, 10*time.Second, func() { _ = p.Signal(syscall.SIGKILL) })
			}
			if code := p.Wait(); code != c.wantCode || out.String() != c.wantOut {
				t.Fatalf("exit %d, output %q; want %d, %q", code, out.String(), c.wantCode, c.wantOut)
			}
			// Wait returns once the container is torn down.
			if merged := filepath.Join(root, "native", "merged"); !gone(merged) {
				t.Fatalf("%s is still there after the container ended", merged)
			}
		})
	}
}

func gone(path string) bool {
	_, err := os.Stat(path)
	return os.IsNotExist(err)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
