package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// bigOutput is larger than several flow-control windows.
var bigOutput = strings.Repeat("0123456789abcdef", (3*proto.Window)/16+7)

var testFns = map[string]procFunc{
	// hello writes to both streams, lots to stdout, and exits 3.
	"hello": func(ctx context.Context, p *funcProc) int {
		fmt.Fprint(p.Stdout, "first\n")
		fmt.Fprint(p.Stderr, "oops\n")
		fmt.Fprint(p.Stdout, bigOutput)
		return 3
	},
	// cat copies stdin to stdout and exits 0 at stdin's end.
	"cat": func(ctx context.Context, p *funcProc) int {
		_, _ = io.Copy(p.Stdout, p.Stdin)
		return 0
	},
	// exit writes its argument to both streams and exits with it.
	"exit": func(ctx context.Context, p *funcProc) int {
		var code int
		fmt.Sscan(p.Args[1], &code)
		fmt.Fprintf(p.Stdout, "out %d\n", code)
		fmt.Fprintf(p.Stderr, "err %d\n", code)
		return code
	},
	// waitsig reports resizes on stdout and exits 128+signal.
	"waitsig": func(ctx context.Context, p *funcProc) int {
		fmt.Fprint(p.Stdout, "ready\n")
		for {
			select {
			case r := <-p.Resizes:
				fmt.Fprintf(p.Stdout, "resize %dx%d\n", r[0], r[1])
			case s := <-p.Signals:
				return 128 + int(s)
			case <-ctx.Done():
				return 137
			}
		}
	},
}

func TestAttachBeforeAgentConnectsSeesAllOutput(t *testing.T) {
	h := newHarness(t, testFns)
	stdin := newSignalReader(t)
	stdout, stderr := newSyncBuffer(""), newSyncBuffer("")
	attached := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	go func() { attached <- h.hub.Attach(ctx, "c1", stdin, stdout, stderr) }()
	<-stdin.reading // the attachment is registered; now the agent may come

	run := h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"hello"}})
	if err := <-attached; err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if got, want := stdout.String(), "first\n"+bigOutput; got != want {
		t.Errorf("stdout: got %d bytes starting %.20q, want %d bytes", len(got), got, len(want))
	}
	if got := stderr.String(); got != "oops\n" {
		t.Errorf("stderr = %q, want only the stderr line", got)
	}
	if e := h.nextExit(t); e != (exitEvent{"c1", 3}) {
		t.Errorf("OnExit got %+v", e)
	}
	if res := run.wait(t); res.err != nil || res.code != 3 {
		t.Errorf("Run = %d, %v; want 3, nil", res.code, res.err)
	}
	if got, want := run.logs.String(), "first\n"+bigOutput+"|oops\n"; got != want {
		t.Errorf("logs differ from output: %d bytes, want %d", len(got), len(want))
	}
	h.noMoreExits(t)
}

func TestAttachStdinEOFClosesMainStdin(t *testing.T) {
	h := newHarness(t, testFns)
	h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"cat"}, Stdin: true})
	var stdout bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	input := strings.Repeat("line of input\n", 40000) // several windows
	if err := h.hub.Attach(ctx, "c1", strings.NewReader(input), &stdout, io.Discard); err != nil {
		t.Fatalf("Attach: %v (cat never saw stdin close?)", err)
	}
	if stdout.String() != input {
		t.Errorf("cat echoed %d bytes, want %d", stdout.Len(), len(input))
	}
	if e := h.nextExit(t); e.code != 0 {
		t.Errorf("exit %d, want 0", e.code)
	}
}

func TestConcurrentExecsKeepTheirStreamsAndCodes(t *testing.T) {
	h := newHarness(t, testFns)
	h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"waitsig"}})
	s := h.session(t, "c1")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, errb bytes.Buffer
			started := false
			code, err := s.Exec(ctx, fmt.Sprintf("e%d", i), proto.ProcessSpec{Args: []string{"exit", fmt.Sprint(i + 10)}},
				nil, &out, &errb, func() { started = true })
			switch {
			case err != nil:
				t.Errorf("exec %d: %v", i, err)
			case code != i+10:
				t.Errorf("exec %d: code %d, want %d", i, code, i+10)
			case out.String() != fmt.Sprintf("out %d\n", i+10) || errb.String() != fmt.Sprintf("err %d\n", i+10):
				t.Errorf("exec %d: stdout %q stderr %q", i, out.String(), errb.String())
			case !started:
				t.Errorf("exec %d: started not called", i)
			}
		}()
	}
	wg.Wait()
}

func TestExecUnknownCommandFailsToStart(t *testing.T) {
	h := newHarness(t, testFns)
	h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"waitsig"}})
	s := h.session(t, "c1")
	_, err := s.Exec(context.Background(), "x", proto.ProcessSpec{Args: []string{"nope"}}, nil, io.Discard, io.Discard,
		func() { t.Error("started called for a process that did not start") })
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("Exec err = %v, want a start failure naming the command", err)
	}
}

func TestResizeAndSignalReachTheProcess(t *testing.T) {
	h := newHarness(t, testFns)
	h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"waitsig"}})
	s := h.session(t, "c1")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()

	out := newSyncBuffer("resize 40x120\n")
	started := make(chan struct{})
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := s.Exec(ctx, "e1", proto.ProcessSpec{Args: []string{"waitsig"}, TTY: true}, nil, out, io.Discard,
			func() { close(started) })
		done <- result{code, err}
	}()
	<-started
	if err := s.Resize(ctx, "e1", 40, 120); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.seen:
	case <-ctx.Done():
		t.Fatalf("resize never reached the exec; output %q", out.String())
	}
	if err := s.Signal(ctx, "e1", syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.err != nil || r.code != 128+int(syscall.SIGUSR1) {
		t.Fatalf("exec = %d, %v; want %d", r.code, r.err, 128+int(syscall.SIGUSR1))
	}
	if err := s.Signal(ctx, "e1", syscall.SIGTERM); !errors.Is(err, proto.ErrNotFound) {
		t.Errorf("signal to a finished exec: %v, want ErrNotFound", err)
	}

	// Main, too.
	exited := h.hub.Exited("c1")
	if err := s.Signal(ctx, "", syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-ctx.Done():
		t.Fatal("main did not exit on SIGTERM")
	}
	if e := h.nextExit(t); e.code != 128+int(syscall.SIGTERM) {
		t.Errorf("main exit %d, want %d", e.code, 128+int(syscall.SIGTERM))
	}
}

func TestTopListsMainAndExecs(t *testing.T) {
	h := newHarness(t, testFns)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	mainOut := newSyncBuffer("ready\n")
	stdin := newSignalReader(t)
	go h.hub.Attach(ctx, "c1", stdin, mainOut, io.Discard)
	<-stdin.reading
	h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"waitsig", "main"}, User: "app"})
	s := h.session(t, "c1")
	<-mainOut.seen // main runs
	started := make(chan struct{})
	execErr := make(chan error, 1)
	go func() {
		_, err := s.Exec(ctx, "e1", proto.ProcessSpec{Args: []string{"waitsig", "exec"}}, nil, io.Discard, io.Discard, func() { close(started) })
		execErr <- err
	}()
	select {
	case <-started:
	case err := <-execErr:
		t.Fatalf("exec ended before it started: %v", err)
	}

	titles, procs, err := s.Top(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(titles, " ") != "UID PID PPID C STIME TTY TIME CMD" {
		t.Errorf("titles %v", titles)
	}
	var cmds []string
	for _, p := range procs {
		cmds = append(cmds, p[0]+":"+p[7])
	}
	if len(cmds) != 2 || cmds[0] != "app:waitsig main" || !strings.HasSuffix(cmds[1], ":waitsig exec") {
		t.Errorf("processes %v, want main (as app) then the exec", cmds)
	}
	if _, _, err := s.Top(ctx, "aux"); !errors.Is(err, proto.ErrInvalid) {
		t.Errorf("Top(aux) err = %v, want ErrInvalid", err)
	}
}

func TestBadTokenIsRejectedAndAgentKeepsRetrying(t *testing.T) {
	ran := make(chan struct{}, 1)
	h := newHarness(t, map[string]procFunc{"main": func(context.Context, *funcProc) int { ran <- struct{}{}; return 0 }})

	req, _ := http.NewRequest("GET", "http"+strings.TrimPrefix(h.url, "ws"), nil)
	req.Header.Set("X-Sockerless-Container", "c1")
	req.Header.Set("Authorization", "Bearer wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Message string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body.Message, "token") {
		t.Fatalf("got %d %q, want 401 with a message", resp.StatusCode, body.Message)
	}

	run := h.startAgent("c1", "wrong", proto.ProcessSpec{Args: []string{"main"}})
	deadline := time.Now().Add(testTimeout)
	for h.authCalls.Load() < 6 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := h.authCalls.Load(); n < 6 {
		t.Fatalf("agent tried %d times, want it to keep retrying", n)
	}
	select {
	case <-ran:
		t.Fatal("main ran without an accepted connection")
	default:
	}
	if _, ok := h.hub.Lookup("c1"); ok {
		t.Fatal("a session exists for a rejected agent")
	}
	run.cancel()
	if res := run.wait(t); !errors.Is(res.err, context.Canceled) {
		t.Errorf("Run after cancel = %d, %v; want context.Canceled", res.code, res.err)
	}
}

func TestConnectionDropMidRunStillDeliversExitOnce(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, map[string]procFunc{"main": func(ctx context.Context, p *funcProc) int {
		fmt.Fprint(p.Stdout, "before\n")
		<-release
		fmt.Fprint(p.Stdout, "after\n")
		return 7
	}})
	stdout := newSyncBuffer("before\n")
	attached := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	go func() { attached <- h.hub.Attach(ctx, "c1", nil, stdout, io.Discard) }()
	run := h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"main"}})

	select {
	case <-stdout.seen:
	case <-ctx.Done():
		t.Fatal("no output before the drop")
	}
	first := h.session(t, "c1")
	h.ln.dropAll()
	<-first.Done()
	// Wait for the agent to come back: a new session, with main running.
	deadline := time.Now().Add(testTimeout)
	for {
		if s, ok := h.hub.Lookup("c1"); ok && s != first {
			if s.Hello().Main != proto.MainRunning {
				t.Fatalf("reconnect hello says main is %q", s.Hello().Main)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("agent did not reconnect")
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(release)

	if err := <-attached; err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if got := stdout.String(); got != "before\nafter\n" {
		t.Errorf("attached output %q", got)
	}
	if e := h.nextExit(t); e.code != 7 {
		t.Errorf("exit %d, want 7", e.code)
	}
	if res := run.wait(t); res.err != nil || res.code != 7 {
		t.Errorf("Run = %d, %v", res.code, res.err)
	}
	h.noMoreExits(t)
}

func TestDropBeforeExitAckIsReportedOnce(t *testing.T) {
	h := newHarness(t, testFns)
	var calls int
	h.hub.OnExit(func(id string, code int, at time.Time) {
		calls++
		if calls == 1 {
			h.ln.dropAll() // the ack cannot reach the agent now
		}
		h.exits <- exitEvent{id, code}
	})
	acked := make(chan string, 4)
	h.hub.OnExitAcked(func(id string) { acked <- id })
	run := h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"exit", "5"}})
	if e := h.nextExit(t); e.code != 5 {
		t.Errorf("exit %d, want 5", e.code)
	}
	if res := run.wait(t); res.err != nil || res.code != 5 {
		t.Errorf("Run = %d, %v; want 5 after re-reporting", res.code, res.err)
	}
	select {
	case <-acked:
	case <-time.After(testTimeout):
		t.Fatal("OnExitAcked did not run")
	}
	h.noMoreExits(t)
	if n := len(acked); n != 0 {
		t.Errorf("OnExitAcked ran %d more times for one exit reported twice, want once", n)
	}
}
