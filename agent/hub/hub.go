// Package hub is the edge's end of the agent protocol: agents dial in
// (ServeHTTP), or the edge dials agents that listen (Dial, forward
// mode), and either way the edge attaches to main processes, runs execs,
// moves archives and hears about exits through the same sessions.
package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/sockerless/sockerless/agent/proto"
)

// Headers an agent dials with.
const (
	HeaderContainer = "X-Sockerless-Container"
	HeaderAuth      = "Authorization"
)

// helloTimeout bounds how long a dialed agent may wait before hello.
const helloTimeout = 10 * time.Second

// Authorizer checks an agent's per-container token.
type Authorizer func(ctx context.Context, containerID, token string) error

// Hub tracks one session per container and the attaches waiting on it.
type Hub struct {
	auth Authorizer
	log  *slog.Logger

	mu         sync.Mutex
	containers map[string]*container
	onExit     func(containerID string, exitCode int, at time.Time)
	onAcked    func(containerID string)
	onHealth   func(containerID string, res proto.HealthResult)

	// open and opened count sessions for Sessions.
	open   atomic.Int64
	opened atomic.Int64
}

// container is what the hub keeps per container across agent
// connections. Entries stay for the hub's life: they are small, and an
// entry must outlive a session to recognize a repeated exit report.
type container struct {
	id string

	// Guarded by Hub.mu.
	sess     *Session
	sessWake chan struct{} // closed and replaced when sess changes
	attaches map[*attachment]struct{}
	exited   chan struct{} // closed and replaced at each main exit

	// exitMu serializes exit handling so a repeated report waits for
	// the first one's OnExit before it is acknowledged.
	exitMu      sync.Mutex
	reportedRun string // guarded by exitMu
}

// New returns a hub that admits agents auth accepts.
func New(auth Authorizer) *Hub {
	return &Hub{auth: auth, log: slog.New(slog.DiscardHandler), containers: map[string]*container{}}
}

// SetLog logs each agent session's opening and end to log, at debug.
// Call it before the hub serves.
func (h *Hub) SetLog(log *slog.Logger) { h.log = log }

// Sessions is how many agent sessions are open now, and how many have
// opened since the hub started (for the edge's metrics).
func (h *Hub) Sessions() (open int, opened int64) {
	return int(h.open.Load()), h.opened.Load()
}

// OnExit sets the function told about each main exit, once per exit.
// It runs after all main output reached the attached streams and before
// those Attach calls return; the agent gets its ack after fn returns.
func (h *Hub) OnExit(fn func(containerID string, exitCode int, at time.Time)) {
	h.mu.Lock()
	h.onExit = fn
	h.mu.Unlock()
}

// OnExitAcked sets the function told, once per exit, after the agent
// was sent its acknowledgement: the exit's streams are over by then, so
// it is the moment to clean up after the container (--rm).
func (h *Hub) OnExitAcked(fn func(containerID string)) {
	h.mu.Lock()
	h.onAcked = fn
	h.mu.Unlock()
}

// OnHealth sets the function told each healthcheck result an agent
// sends. It runs on a goroutine of its own, so a slow recording never
// holds up main's output; results carry their times to be ordered by.
func (h *Hub) OnHealth(fn func(containerID string, res proto.HealthResult)) {
	h.mu.Lock()
	h.onHealth = fn
	h.mu.Unlock()
}

func (h *Hub) container(id string) *container {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.containerLocked(id)
}

func (h *Hub) containerLocked(id string) *container {
	c, ok := h.containers[id]
	if !ok {
		c = &container{id: id, sessWake: make(chan struct{}),
			attaches: map[*attachment]struct{}{}, exited: make(chan struct{})}
		h.containers[id] = c
	}
	return c
}

// Exited returns a channel closed at the next main exit of the container.
func (h *Hub) Exited(containerID string) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.containerLocked(containerID).exited
}

// Lookup returns the container's connected session, if any.
func (h *Hub) Lookup(containerID string) (*Session, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.containers[containerID]
	if !ok || c.sess == nil || c.sess.m.Err() != nil {
		return nil, false
	}
	return c.sess, true
}

// Session waits until the container's agent is connected, or ctx ends.
func (h *Hub) Session(ctx context.Context, containerID string) (*Session, error) {
	return h.waitSession(ctx, h.container(containerID))
}

func (h *Hub) waitSession(ctx context.Context, c *container) (*Session, error) {
	for {
		h.mu.Lock()
		s, wake := c.sess, c.sessWake
		h.mu.Unlock()
		if s != nil && s.m.Err() == nil {
			return s, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the agent of container %s: %w", c.id, ctx.Err())
		}
	}
}

// ServeHTTP accepts an agent's connection and serves it until it ends.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(HeaderContainer)
	token, isBearer := strings.CutPrefix(r.Header.Get(HeaderAuth), "Bearer ")
	switch {
	case id == "" || !isBearer || token == "":
		unauthorized(w, "agent must send "+HeaderContainer+" and a bearer token")
		return
	case h.auth == nil:
		unauthorized(w, "the hub has no authorizer configured")
		return
	}
	if err := h.auth(r.Context(), id, token); err != nil {
		unauthorized(w, err.Error())
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has written the HTTP error.
	}
	m := proto.NewMux(ws)
	hello, err := readHello(r.Context(), m, id)
	if err != nil {
		m.Close()
		return
	}
	h.serve(m, hello)
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func readHello(ctx context.Context, m *proto.Mux, id string) (proto.Hello, error) {
	ctx, cancel := context.WithTimeout(ctx, helloTimeout)
	defer cancel()
	f, err := m.ReadFrame(ctx)
	if err != nil {
		return proto.Hello{}, err
	}
	if f.Type != proto.TypeHello || f.Channel != proto.ChannelControl {
		return proto.Hello{}, fmt.Errorf("%w: first frame is %s on channel %d, want hello", proto.ErrFrame, f.Type, f.Channel)
	}
	var hello proto.Hello
	if err := proto.DecodeJSON(f, &hello); err != nil {
		return proto.Hello{}, err
	}
	if hello.ContainerID != id {
		return proto.Hello{}, fmt.Errorf("hello names container %q, credentials are for %q", hello.ContainerID, id)
	}
	return hello, nil
}

// serve binds the new session, starts or re-binds main, and reads
// frames until the connection ends. It returns the ended session.
func (h *Hub) serve(m *proto.Mux, hello proto.Hello) *Session {
	c := h.container(hello.ContainerID)
	s := &Session{c: c, m: m, hello: hello, next: proto.FirstRequestChannel, execs: map[string]*proto.Channel{}, running: make(chan struct{})}
	s.main = m.Open(proto.ChannelMain, nil)
	if hello.Main != proto.MainCreated || !hello.AcksStart {
		s.markRunning()
	}

	// Attachments belong to the container, so pending ones are already
	// bound: consumeMain delivers to them from main's first byte. Start
	// goes out before the session is published, so it precedes anything
	// an attach or a Session caller sends.
	go h.consumeMain(s)
	switch hello.Main {
	case proto.MainCreated:
		_ = s.main.Send(proto.TypeStart, nil) // failure ends Serve below
	case proto.MainExited:
		go h.exit(s, hello.ExitCode, hello.Run)
	}

	h.mu.Lock()
	old := c.sess
	c.sess = s
	close(c.sessWake)
	c.sessWake = make(chan struct{})
	h.mu.Unlock()
	if old != nil {
		old.m.Close() // the agent keeps one connection; the old one is stale
	}

	start := time.Now()
	h.opened.Add(1)
	h.open.Add(1)
	h.log.Debug("agent session open", "container", c.id, "main", hello.Main)
	err := m.Serve(nil) // the agent opens no channels; nothing is unrouted
	h.open.Add(-1)
	h.log.Debug("agent session closed", "container", c.id, "dur", time.Since(start), "err", err)

	h.mu.Lock()
	if c.sess == s {
		c.sess = nil
		close(c.sessWake)
		c.sessWake = make(chan struct{})
	}
	h.mu.Unlock()
	return s
}

// consumeMain delivers channel 1 in order: output to the attaches, then
// the exit.
func (h *Hub) consumeMain(s *Session) {
	for {
		f, err := s.main.Recv(context.Background())
		if err != nil {
			return
		}
		switch f.Type {
		case proto.TypeStdout, proto.TypeStderr:
			h.fanout(s.c, f.Type, f.Payload)
		case proto.TypeAck:
			s.markRunning() // the agent's answer to start
		case proto.TypeExit:
			s.markRunning() // it could not run, or has run
			var e proto.Exit
			if proto.DecodeJSON(f, &e) != nil {
				s.m.Close()
				return
			}
			h.exit(s, e.Code, e.Run)
		case proto.TypeHealth:
			var res proto.HealthResult
			h.mu.Lock()
			fn := h.onHealth
			h.mu.Unlock()
			if fn != nil && proto.DecodeJSON(f, &res) == nil {
				go fn(s.c.id, res)
			}
		}
	}
}

// exit handles main's exit on s: report, acknowledge, then OnExitAcked.
func (h *Hub) exit(s *Session, code int, run string) {
	reported := h.mainExited(s.c, code, run)
	s.ackExit()
	if !reported {
		return
	}
	h.mu.Lock()
	fn := h.onAcked
	h.mu.Unlock()
	if fn != nil {
		fn(s.c.id)
	}
}

// mainExited reports an exit once per run, then releases the attaches
// and wakes waiters. It reports false for a repeated report.
func (h *Hub) mainExited(c *container, code int, run string) bool {
	c.exitMu.Lock()
	defer c.exitMu.Unlock()
	if run != "" && run == c.reportedRun {
		return false // the agent missed our ack and said it again
	}
	c.reportedRun = run

	h.mu.Lock()
	fn := h.onExit
	h.mu.Unlock()
	if fn != nil {
		fn(c.id, code, time.Now())
	}

	h.mu.Lock()
	attaches := c.attaches
	c.attaches = map[*attachment]struct{}{}
	exited := c.exited
	c.exited = make(chan struct{})
	h.mu.Unlock()
	for a := range attaches {
		a.finish(nil)
	}
	close(exited)
	return true
}
