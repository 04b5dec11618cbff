package sandboxrt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/sandbox"
)

// Every test of the package runs the agent through Native, as the
// simulators do.
func init() { sandbox.RegisterNative(Native) }

// TestNativeCommands runs the agent's command line in the sandbox for an
// executable that carries agent.Marker, as the real binary does: install
// copies it onto a volume, the copy runs as the agent too, and wrapping
// reports main's exit to a real hub.
func TestNativeCommands(t *testing.T) {
	_, url, exits := serveHub(t)
	image, vol := t.TempDir(), t.TempDir()
	exe := "\x7fELF fake agent " + agent.Marker + " more bytes"
	write(t, filepath.Join(image, "agent"), exe, 0o755)
	mounts := []sandbox.Mount{{Source: vol, Target: "/sockerless"}}
	env := []string{"SOCKERLESS_EDGE_URL=" + url, "SOCKERLESS_CONTAINER_ID=c1", "SOCKERLESS_TOKEN=t"}

	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
		exit int // the exit the hub sees; -1 for none
	}{
		{"version", []string{"/agent", "version"}, "sockerless-agent " + agent.Version + " (" + agent.Marker + ")\n", 0, -1},
		{"install onto a volume", []string{"/agent", "install", "/sockerless/bin/agent"}, "", 0, -1},
		{"the installed copy wraps main", []string{"/sockerless/bin/agent", "--", "sh", "-c", "echo hi; exit 3"}, "hi\n", 3, 3},
		{"relative install path", []string{"sh", "-c", "cd /sockerless && /agent install again"}, "", 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			p, err := sandbox.Start(context.Background(), sandbox.Spec{Root: t.TempDir(), Image: image, Mounts: mounts, Args: tc.args, Env: env},
				sandbox.Stdio{Stdout: &out, Stderr: &errb})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Done():
			case <-time.After(time.Until(hangAt(t))):
				p.Signal(9)
				t.Fatal("the agent did not end")
			}
			if code := p.Wait(); code != tc.code || out.String() != tc.want {
				t.Fatalf("exit %d stdout %q stderr %q; want %d %q", code, out.String(), errb.String(), tc.code, tc.want)
			}
			if tc.exit >= 0 {
				if got := <-exits; got != tc.exit {
					t.Fatalf("hub saw exit %d, want %d", got, tc.exit)
				}
			}
		})
	}
	for _, p := range []string{"bin/agent", "again"} {
		fi, err := os.Stat(filepath.Join(vol, p))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(vol, p))
		if string(b) != exe || fi.Mode().Perm() != 0o755 {
			t.Errorf("installed %s: mode %v, %d bytes; want the agent's bytes, mode 0755", p, fi.Mode(), len(b))
		}
	}
}
