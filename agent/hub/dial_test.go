package hub_test

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
)

// forwardAgent is a forward-mode agent on a tracking listener (so a test
// can cut its connections) and the hub's Dial to it.
type forwardAgent struct {
	ln     *trackingListener
	run    *agentRun
	dialed chan error
}

// startForwardAgent runs a forward-mode agent for container id and has
// the harness's hub dial it, both until the test ends.
func (h *harness) startForwardAgent(id string, main proto.ProcessSpec) *forwardAgent {
	h.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	f := &forwardAgent{ln: &trackingListener{Listener: l}, dialed: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	f.run = &agentRun{logs: &memLogs{}, cancel: cancel, done: make(chan agentResult, 1)}
	go func() {
		code, err := agent.Run(ctx, agent.Config{Listener: f.ln, ContainerID: id, Token: tokenFor(id),
			Main: main, Runtime: h.rt, Logs: f.run.logs})
		f.run.done <- agentResult{code, err}
	}()
	url := "ws://" + l.Addr().String() + agent.ForwardPath
	go func() { f.dialed <- h.hub.Dial(ctx, url, id, tokenFor(id)) }()
	h.t.Cleanup(func() {
		cancel()
		f.ln.dropAll()
		select {
		case <-f.run.done:
		case <-time.After(testTimeout):
			h.t.Error("forward agent did not stop after cancel")
		}
	})
	return f
}

func (f *forwardAgent) waitDial(t *testing.T) error {
	t.Helper()
	select {
	case err := <-f.dialed:
		return err
	case <-time.After(testTimeout):
		t.Fatal("Dial did not return")
		return nil
	}
}

// TestDialRedialsAfterADrop: the hub redials a forward-mode agent whose
// connection dropped; main keeps running and is reached through the new
// session, and its exit is recorded once.
func TestDialRedialsAfterADrop(t *testing.T) {
	h := newHarness(t, testFns)
	stdin := newSignalReader(t)
	stdout := newSyncBuffer("ready\n")
	attached := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	go func() { attached <- h.hub.Attach(ctx, "c1", stdin, stdout, newSyncBuffer("")) }()
	<-stdin.reading

	f := h.startForwardAgent("c1", proto.ProcessSpec{Args: []string{"waitsig"}})
	select {
	case <-stdout.seen:
	case <-ctx.Done():
		t.Fatal("no output before the drop")
	}
	first := h.session(t, "c1")
	f.ln.dropAll()
	<-first.Done()
	var again *hub.Session
	for again == nil {
		if s, ok := h.hub.Lookup("c1"); ok && s != first {
			again = s
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the hub did not redial")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if got := again.Hello().Main; got != proto.MainRunning {
		t.Fatalf("redialled hello says main is %q", got)
	}
	if err := again.Signal(ctx, "", syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-attached; err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if e := h.nextExit(t); e.code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit %d, want %d", e.code, 128+int(syscall.SIGTERM))
	}
	if res := f.run.wait(t); res.err != nil || res.code != 128+int(syscall.SIGTERM) {
		t.Errorf("Run = %d, %v", res.code, res.err)
	}
	if err := f.waitDial(t); err != nil {
		t.Errorf("Dial = %v, want nil", err)
	}
	h.noMoreExits(t)
}

// TestDialReAcksALostAck: when the connection drops before the ack
// reaches the agent, the redial finds main exited, the hub acknowledges
// again without a second report, and both ends finish.
func TestDialReAcksALostAck(t *testing.T) {
	h := newHarness(t, testFns)
	var f *forwardAgent
	calls := 0
	h.hub.OnExit(func(id string, code int, at time.Time) {
		calls++
		if calls == 1 {
			f.ln.dropAll() // the ack cannot reach the agent now
		}
		h.exits <- exitEvent{id, code}
	})
	release := make(chan struct{})
	h.rt.fns = map[string]procFunc{"gated": func(ctx context.Context, p *funcProc) int { <-release; return 5 }}
	f = h.startForwardAgent("c1", proto.ProcessSpec{Args: []string{"gated"}})
	close(release)
	if e := h.nextExit(t); e.code != 5 {
		t.Errorf("exit %d, want 5", e.code)
	}
	if res := f.run.wait(t); res.err != nil || res.code != 5 {
		t.Errorf("Run = %d, %v; want 5 after the second ack", res.code, res.err)
	}
	if err := f.waitDial(t); err != nil {
		t.Errorf("Dial = %v, want nil", err)
	}
	h.noMoreExits(t)
}
