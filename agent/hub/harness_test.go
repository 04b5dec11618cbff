package hub_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 15 * time.Second

type exitEvent struct {
	id   string
	code int
}

// harness is a real hub behind a real HTTP server, with agents dialing
// it over real WebSockets.
type harness struct {
	t         *testing.T
	hub       *hub.Hub
	url       string
	ln        *trackingListener
	rt        *funcRuntime
	exits     chan exitEvent
	authCalls atomic.Int32
	// holdMain starts the agents with main held for a release.
	holdMain bool
}

func newHarness(t *testing.T, fns map[string]procFunc) *harness {
	t.Helper()
	h := &harness{t: t, rt: &funcRuntime{root: t.TempDir(), fns: fns}, exits: make(chan exitEvent, 16)}
	h.hub = hub.New(func(ctx context.Context, id, token string) error {
		h.authCalls.Add(1)
		if token != tokenFor(id) {
			return errors.New("token does not match container " + id)
		}
		return nil
	})
	h.hub.OnExit(func(id string, code int, at time.Time) { h.exits <- exitEvent{id, code} })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.ln = &trackingListener{Listener: l}
	srv := &httptest.Server{Listener: h.ln, Config: &http.Server{Handler: h.hub}}
	srv.Start()
	t.Cleanup(func() { h.ln.dropAll(); srv.Close() })
	h.url = "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/v1/connect"
	return h
}

func tokenFor(id string) string { return "secret-" + id }

type agentResult struct {
	code int
	err  error
}

type agentRun struct {
	logs   *memLogs
	cancel context.CancelFunc
	done   chan agentResult
}

// startAgent runs agent.Run for container id until the test ends.
func (h *harness) startAgent(id, token string, main proto.ProcessSpec) *agentRun {
	return h.startAgentWith(id, token, main, nil)
}

// startAgentWith is startAgent for a container with a healthcheck.
func (h *harness) startAgentWith(id, token string, main proto.ProcessSpec, health *proto.HealthSpec) *agentRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &agentRun{logs: &memLogs{}, cancel: cancel, done: make(chan agentResult, 1)}
	go func() {
		code, err := agent.Run(ctx, agent.Config{EdgeURL: h.url, ContainerID: id, Token: token,
			Main: main, Health: health, Runtime: h.rt, Logs: r.logs, HoldMain: h.holdMain})
		r.done <- agentResult{code, err}
	}()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(testTimeout):
			h.t.Error("agent did not stop after cancel")
		}
	})
	return r
}

func (r *agentRun) wait(t *testing.T) agentResult {
	t.Helper()
	select {
	case res := <-r.done:
		r.done <- res // keep it for Cleanup
		return res
	case <-time.After(testTimeout):
		t.Fatal("agent did not return")
		return agentResult{}
	}
}

func (h *harness) nextExit(t *testing.T) exitEvent {
	t.Helper()
	select {
	case e := <-h.exits:
		return e
	case <-time.After(testTimeout):
		t.Fatal("no exit reported")
		return exitEvent{}
	}
}

func (h *harness) noMoreExits(t *testing.T) {
	t.Helper()
	select {
	case e := <-h.exits:
		t.Fatalf("unexpected second exit report %+v", e)
	case <-time.After(100 * time.Millisecond):
	}
}

func (h *harness) session(t *testing.T, id string) *hub.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	s, err := h.hub.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// trackingListener remembers accepted connections so a test can cut
// them all: the only way to make a real connection drop mid-run.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackingListener) dropAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// signalReader is an attach stdin that reports its first Read, which
// Attach makes only after the attachment is registered; then it blocks
// until the test ends, like an idle terminal.
type signalReader struct {
	once    sync.Once
	reading chan struct{}
	stop    chan struct{}
}

func newSignalReader(t *testing.T) *signalReader {
	r := &signalReader{reading: make(chan struct{}), stop: make(chan struct{})}
	t.Cleanup(func() { close(r.stop) })
	return r
}

func (r *signalReader) Read(p []byte) (int, error) {
	r.once.Do(func() { close(r.reading) })
	<-r.stop
	return 0, errors.New("test over")
}
