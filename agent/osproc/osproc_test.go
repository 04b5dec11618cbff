package osproc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/proto"
)

// lockedBuffer is written by the process's copy goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRuntime(t *testing.T) {
	for _, tc := range []struct {
		name       string
		spec       proto.ProcessSpec
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "streams and exit code", spec: proto.ProcessSpec{Args: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}},
			wantCode: 3, wantStdout: "out\n", wantStderr: "err\n"},
		{name: "stdin reaches EOF", spec: proto.ProcessSpec{Args: []string{"cat"}, Stdin: true}, stdin: "hello",
			wantStdout: "hello"},
		{name: "env and dir from the spec", spec: proto.ProcessSpec{Args: []string{"sh", "-c", "echo $GREETING; pwd"},
			Env: []string{"GREETING=hi", "PATH=/usr/bin:/bin"}, Dir: "/"}, wantStdout: "hi\n/\n"},
		{name: "agent token is not inherited", spec: proto.ProcessSpec{Args: []string{"sh", "-c", "echo ${SOCKERLESS_TOKEN:-none}"}},
			wantStdout: "none\n"},
		{name: "tty merges output", spec: proto.ProcessSpec{Args: []string{"sh", "-c", "echo a; echo b >&2"}, TTY: true},
			wantStdout: "a\r\nb\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOCKERLESS_TOKEN", "secret")
			var stdout, stderr lockedBuffer
			stdio := agent.Stdio{Stdout: &stdout, Stderr: &stderr}
			if tc.spec.Stdin {
				stdio.Stdin = strings.NewReader(tc.stdin)
			}
			p, err := Runtime{}.Start(context.Background(), tc.spec, stdio)
			if err != nil {
				t.Fatal(err)
			}
			if code := p.Wait(); code != tc.wantCode {
				t.Errorf("exit %d, want %d", code, tc.wantCode)
			}
			if stdout.String() != tc.wantStdout || stderr.String() != tc.wantStderr {
				t.Errorf("stdout %q stderr %q, want %q %q", stdout.String(), stderr.String(), tc.wantStdout, tc.wantStderr)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	_, err := Runtime{}.Start(context.Background(), proto.ProcessSpec{Args: []string{"no-such-command-here"}}, agent.Stdio{Stdout: io.Discard, Stderr: io.Discard})
	if !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("err = %v, want exec.ErrNotFound", err)
	}
}

func TestSignalAndResize(t *testing.T) {
	var out lockedBuffer
	// The shell prints the terminal size after each SIGWINCH, and exits
	// on SIGUSR1 with 128+10 like any shell-reported signal death.
	script := `trap 'stty size' WINCH; trap 'exit 138' USR1; echo ready; while :; do sleep 0.05; done`
	p, err := Runtime{}.Start(context.Background(), proto.ProcessSpec{Args: []string{"sh", "-c", script}, TTY: true, Height: 10, Width: 20},
		agent.Stdio{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "ready")
	if err := p.Resize(33, 99); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "33 99")
	if err := p.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(); code != 138 {
		t.Fatalf("exit %d, want 138", code)
	}

	// Without a TTY, resize is refused and a signal death is 128+sig.
	p, err = Runtime{}.Start(context.Background(), proto.ProcessSpec{Args: []string{"sleep", "10"}}, agent.Stdio{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Resize(1, 1); !errors.Is(err, proto.ErrInvalid) {
		t.Errorf("resize without tty: %v", err)
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(); code != 137 {
		t.Errorf("exit %d, want 137", code)
	}
}

func waitFor(t *testing.T, out *lockedBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q in %q", s, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
