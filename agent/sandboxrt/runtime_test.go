package sandboxrt

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/internal/syncbuf"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/sandbox"
)

// hangAt is when a wait in these tests means a hang: shortly before the
// test binary's deadline (go test -timeout), so that the test still
// fails with what it saw, or never without one. Nothing here is timed,
// and a fixed deadline was not honest: the first utility a container
// runs builds and compiles the WASI module when its cache is cold (a
// fresh clone, a changed utility), which takes more than 15 s on a
// loaded machine.
func hangAt(t *testing.T) time.Time {
	d, ok := t.Deadline()
	if !ok {
		return time.Now().Add(24 * time.Hour)
	}
	return time.Now().Add(time.Until(d) * 9 / 10)
}

// serveHub is a real hub behind a real HTTP server that admits any
// token, and the channel its exit reports arrive on.
func serveHub(t *testing.T) (*hub.Hub, string, <-chan int) {
	h := hub.New(func(context.Context, string, string) error { return nil })
	exits := make(chan int, 4)
	h.OnExit(func(_ string, code int, _ time.Time) { exits <- code })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/v1/connect", exits
}

// TestAgentInSandbox runs the agent (Native, for an executable carrying
// agent.Marker) in a sandboxed container and drives it from a real hub:
// main, exec, archive and the exit report all act on the container's
// processes and files.
func TestAgentInSandbox(t *testing.T) {
	h, url, exits := serveHub(t)
	image, root := t.TempDir(), t.TempDir()
	write(t, filepath.Join(image, "bin", "agent"), "\x7fELF"+agent.Marker, 0o755)
	write(t, filepath.Join(image, "etc", "motd"), "from the image\n", 0o644)

	var out syncbuf.Buffer
	main := "echo main started; while [ ! -f /stop ]; do sleep 0.02; done; cat /stop; exit 5"
	p, err := sandbox.Start(context.Background(), sandbox.Spec{
		Root: root, Image: image, Hostname: "box", Args: []string{"/bin/agent", "--", "sh", "-c", main},
		Env: []string{"SOCKERLESS_EDGE_URL=" + url, "SOCKERLESS_CONTAINER_ID=c1", "SOCKERLESS_TOKEN=secret", "FOO=foo"},
	}, sandbox.Stdio{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Signal(9)
	ctx, cancel := context.WithDeadline(context.Background(), hangAt(t))
	defer cancel()
	s, err := h.Session(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}

	// docker cp into the container, then exec sees it with the agent's
	// environment minus its token, in the container's hostname.
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "copied", Mode: 0o644, Size: 7, Typeflag: tar.TypeReg})
	tw.Write([]byte("copied\n"))
	tw.Close()
	if err := s.ArchivePut(ctx, "/etc", &tb, false); err != nil {
		t.Fatal(err)
	}
	if st, err := s.ArchiveStat(ctx, "/etc/motd"); err != nil || st.Size != 15 {
		t.Fatalf("stat /etc/motd: %+v %v", st, err)
	}
	var eout, eerr bytes.Buffer
	code, err := s.Exec(ctx, "e1", proto.ProcessSpec{Args: []string{"sh", "-c", "echo ${SOCKERLESS_TOKEN:-no token} $FOO $(hostname); cat /etc/motd /etc/copied; echo stop > /stop"}}, nil, &eout, &eerr, nil)
	if err != nil || code != 0 {
		t.Fatalf("exec: %d %v (stderr %q)", code, err, eerr.String())
	}
	if want := "no token foo box\nfrom the image\ncopied\n"; eout.String() != want {
		t.Fatalf("exec stdout %q, want %q", eout.String(), want)
	}

	select {
	case code := <-exits:
		if code != 5 {
			t.Fatalf("hub saw exit %d, want 5", code)
		}
	case <-time.After(time.Until(hangAt(t))):
		t.Fatalf("no exit reported; output %q", out.String())
	}
	select {
	case <-p.Done():
	case <-time.After(time.Until(hangAt(t))):
		t.Fatal("the agent did not end after its exit was acknowledged")
	}
	if code := p.Wait(); code != 5 || out.String() != "main started\nstop\n" {
		t.Fatalf("agent exited %d with output %q", code, out.String())
	}
	// The image template is untouched: the container wrote to its root.
	if _, err := os.Stat(filepath.Join(image, "stop")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the image was written to: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "etc", "copied")); string(b) != "copied\n" {
		t.Errorf("copied file in the container's root: %q %v", b, err)
	}
}

func write(t *testing.T, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}
