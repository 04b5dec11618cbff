package sandbox

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to poll while the process writes.
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

// start runs args and waits until stdout contains ready.
func start(t *testing.T, args []string, ready string) (*Process, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	// A stdin that stays open, as with docker run -i.
	stdin, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	p, err := Start(context.Background(), Spec{Root: t.TempDir(), Args: args}, Stdio{Stdin: stdin, Stdout: out, Stderr: out})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), ready) {
		if time.Now().After(deadline) {
			t.Fatalf("never printed %q: %q", ready, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return p, out
}

func waitCode(t *testing.T, p *Process) int {
	t.Helper()
	select {
	case <-p.Done():
		return p.Wait()
	case <-time.After(5 * time.Second):
		t.Fatal("process did not end promptly")
		return -1
	}
}

func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		sig  syscall.Signal
		code int
		want string
	}{
		{name: "TERM ends sleep", args: sh("echo ready; sleep 60"), sig: syscall.SIGTERM, code: 143},
		{name: "KILL", args: sh("echo ready; sleep 60"), sig: syscall.SIGKILL, code: 137},
		{name: "INT", args: sh("echo ready; sleep 60"), sig: syscall.SIGINT, code: 130},
		{name: "HUP", args: sh("echo ready; sleep 60"), sig: syscall.SIGHUP, code: 129},
		{name: "direct command", args: []string{"sh", "-c", "echo ready; exec sleep 60"}, sig: syscall.SIGTERM, code: 143},
		{name: "blocked on stdin", args: sh("echo ready; cat"), sig: syscall.SIGTERM, code: 143},
		{name: "trap runs handler", args: sh(`trap 'echo caught; exit 0' TERM; echo ready; sleep 60; echo after`),
			sig: syscall.SIGTERM, code: 0, want: "caught\n"},
		{name: "trap by number", args: sh(`trap 'echo got int' 2; echo ready; sleep 60; exit 9`),
			sig: syscall.SIGINT, code: 9, want: "got int\n"},
		{name: "interrupted command reports the signal", args: sh(`trap 'echo trapped' TERM; echo ready; sleep 60; echo "sleep=$?"`),
			sig: syscall.SIGTERM, code: 0, want: "trapped\nsleep=143\n"},
		{name: "KILL ignores trap", args: sh(`trap 'echo caught' TERM KILL; echo ready; sleep 60`), sig: syscall.SIGKILL, code: 137},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, out := start(t, tc.args, "ready")
			if err := p.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			code := waitCode(t, p)
			if code != tc.code || !strings.HasSuffix(out.String(), tc.want) {
				t.Fatalf("code %d output %q; want %d ending %q", code, out.String(), tc.code, tc.want)
			}
		})
	}
}

func TestIgnoredSignals(t *testing.T) {
	p, out := start(t, sh(`trap '' TERM; echo ready; sleep 0.3; echo done`), "ready")
	p.Signal(syscall.SIGUSR1) // untrapped, not fatal: ignored
	p.Signal(syscall.SIGTERM) // trapped as ignored
	if code := waitCode(t, p); code != 0 || !strings.HasSuffix(out.String(), "done\n") {
		t.Fatalf("code %d output %q", code, out.String())
	}
	if err := p.Signal(syscall.SIGTERM); err != syscall.ESRCH {
		t.Errorf("signal after exit: %v", err)
	}
}

func TestContextCancelKills(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	p, err := Start(ctx, Spec{Root: t.TempDir(), Args: sh("echo ready; sleep 60")}, Stdio{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "ready") {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if code := waitCode(t, p); code != 137 {
		t.Fatalf("code %d", code)
	}
}

func TestKillChildAndProcessList(t *testing.T) {
	p, out := start(t, sh(`sleep 60 & echo ready; wait; echo "waited $?"`), "ready")
	var child ProcessInfo
	deadline := time.Now().Add(5 * time.Second)
	for child.Pid == 0 && time.Now().Before(deadline) {
		for _, info := range Processes() {
			if info.Root == p.root && len(info.Args) > 0 && info.Args[0] == "sleep" {
				child = info
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if child.Pid == 0 || child.PPid != p.Pid() || child.Started.IsZero() {
		t.Fatalf("sleep not listed under %d: %+v", p.Pid(), ProcessesIn(p.root))
	}
	// kill from another sandbox process reaches it by pseudo pid.
	r := run(t, Spec{Args: sh("kill " + strconv.Itoa(child.Pid) + "; kill 999999 || echo no such")}, "")
	if r.stdout != "no such\n" || !strings.Contains(r.stderr, "No such process") {
		t.Fatalf("kill: %+v", r)
	}
	if code := waitCode(t, p); code != 0 || !strings.Contains(out.String(), "waited") {
		t.Fatalf("code %d output %q", code, out.String())
	}
	if len(ProcessesIn(p.root)) != 0 {
		t.Errorf("processes left: %+v", ProcessesIn(p.root))
	}
}

func TestTTY(t *testing.T) {
	var out bytes.Buffer
	p, err := Start(context.Background(), Spec{Root: t.TempDir(), TTY: true, Args: sh("echo hi; echo err >&2; echo $TERM")}, Stdio{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if code := waitCode(t, p); code != 0 || out.String() != "hi\r\nerr\r\nxterm\r\n" {
		t.Fatalf("code %d output %q", code, out.String())
	}
	if err := p.Resize(40, 120); err != nil {
		t.Fatal(err)
	}
}

func TestPidsUnique(t *testing.T) {
	a, _ := start(t, sh("echo ready; sleep 60"), "ready")
	b, _ := start(t, sh("echo ready; sleep 60"), "ready")
	if a.Pid() == b.Pid() || a.Pid() == 0 {
		t.Fatalf("pids %d %d", a.Pid(), b.Pid())
	}
	a.Signal(syscall.SIGKILL)
	b.Signal(syscall.SIGKILL)
	waitCode(t, a)
	waitCode(t, b)
}
