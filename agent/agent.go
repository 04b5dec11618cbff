// Package agent is the workload's end of the agent protocol. It runs the
// container's main process through a Runtime and serves attach, exec,
// signals, resize, archive and top over one multiplexed WebSocket (see
// package proto), keeping the main process's exit status until the edge
// has acknowledged it. The agent either dials home to the edge (reverse
// mode, Config.EdgeURL) or listens for the edge to dial it (forward
// mode, Config.Listener, for networks where the workload cannot reach
// the edge); both serve the same session.
//
// Package agent/cli is the agent program built on it; agent/cmd/agent
// is its binary.
package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
)

// Version is the agent version sent in hello.
const Version = "0.1.0"

// Runtime starts processes inside the workload.
type Runtime interface {
	// Start starts spec with stdio. Cancelling ctx kills the process.
	Start(ctx context.Context, spec proto.ProcessSpec, stdio Stdio) (Process, error)
	// FS is the container's filesystem as its processes see it, for
	// archive requests (docker cp). It confines paths; the agent does not.
	FS() (archive.FS, error)
}

// Stdio is a process's standard streams. Stdin nil means no input.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Process is a started process.
type Process interface {
	// Wait returns the exit code once the process has exited and all of
	// its output has been written to Stdio. It is called once.
	Wait() int
	Signal(sig syscall.Signal) error
	// Resize sets the terminal size; it fails for a process without a TTY.
	Resize(h, w uint) error
	Pid() int
}

// LogSink is the platform's log driver. Log must not keep p.
type LogSink interface {
	Log(stream int, p []byte) // stream 1 is stdout, 2 is stderr
}

// Config says where the edge is and what to run. Exactly one of EdgeURL
// and Listener is set.
type Config struct {
	// EdgeURL is the hub's endpoint, ws://host:port/agent/v1/connect,
	// which the agent dials (reverse mode).
	EdgeURL string
	// Listener, in forward mode, is where the agent accepts the edge's
	// connections at ForwardPath (the edge dials it with hub.Dial). Run
	// closes it when it returns.
	Listener net.Listener
	// ContainerID names the container to the edge.
	ContainerID string
	// Token is the container's per-start token: the agent presents it
	// to the edge in reverse mode and requires it from the edge in
	// forward mode, where it must not be empty.
	Token string
	Main  proto.ProcessSpec
	// Health, when set, is the healthcheck the agent runs inside the
	// container while main runs, reporting each result on the main
	// channel (proto.TypeHealth).
	Health  *proto.HealthSpec
	Runtime Runtime
	// HoldMain keeps main from starting, after the edge's start, until
	// the edge releases it (proto.OpenRelease): the edge first copies
	// the container's bind-mount sources in.
	HoldMain   bool
	Logs       LogSink      // optional
	HTTPClient *http.Client // optional, for dialing
	// Linger keeps the agent up this long after the edge acknowledged
	// main's exit, serving archive requests (docker cp out of the
	// stopped container) where the workload's filesystem goes with it.
	// Ending ctx (the platform stopping the workload: docker rm, a new
	// start) ends it sooner; 0 ends the agent at the ack.
	Linger time.Duration
}

// agent is one Run: the main process's state across connections.
type agent struct {
	cfg   Config
	ctx   context.Context
	run   string
	procs procTable

	mu       sync.Mutex
	state    proto.MainState
	exitCode int
	main     Process
	// mainReady is closed once main is registered (or failed to start):
	// signals that arrive while it starts wait for it.
	mainReady chan struct{}
	cur       *proto.Channel // channel 1 of the current connection, or nil
	curMux    *proto.Mux     // the current connection, or nil
	acked     chan struct{}  // closed when the edge acknowledges the exit
	ackOnce   sync.Once
	// released is closed when the agent may end: at the ack, or once
	// Linger has passed after it.
	released chan struct{}

	hold hold // guarded by mu

	stdinR *io.PipeReader // main's stdin, when Main.Stdin
	stdinW *io.PipeWriter
}

// Run runs cfg.Main under the edge's control and returns its exit code
// once the edge has acknowledged it. In reverse mode it dials the edge
// and redials with backoff whenever the connection drops; in forward
// mode it serves the edge's connections, the latest replacing any
// earlier one. Either way it goes on for as long as ctx lives; when ctx
// ends first, the main process is killed (through the Runtime) and ctx's
// error is returned.
func Run(ctx context.Context, cfg Config) (int, error) {
	if cfg.Listener != nil {
		defer cfg.Listener.Close()
	}
	switch {
	case cfg.EdgeURL == "" && cfg.Listener == nil:
		return -1, errors.New("agent: no edge URL and no listener")
	case cfg.EdgeURL != "" && cfg.Listener != nil:
		return -1, errors.New("agent: both an edge URL and a listener: choose reverse or forward mode")
	case cfg.Listener != nil && cfg.Token == "":
		return -1, errors.New("agent: forward mode needs a token to check the edge's")
	case cfg.ContainerID == "":
		return -1, errors.New("agent: no container id")
	case cfg.Runtime == nil:
		return -1, errors.New("agent: no runtime")
	}
	a := &agent{cfg: cfg, ctx: ctx, run: newRunID(), state: proto.MainCreated,
		acked: make(chan struct{}), released: make(chan struct{}), mainReady: make(chan struct{})}
	a.procs.init()
	a.armHold()
	defer a.disarmHold()
	if cfg.Main.Stdin {
		a.stdinR, a.stdinW = io.Pipe()
	}
	if cfg.Listener != nil {
		return a.listen()
	}
	return a.loop()
}

func newRunID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

func (a *agent) ackExit() {
	a.ackOnce.Do(func() {
		close(a.acked)
		if a.cfg.Linger <= 0 {
			close(a.released)
			return
		}
		time.AfterFunc(a.cfg.Linger, func() {
			// Under mu: a session binding now sees it closed (session).
			a.mu.Lock()
			close(a.released)
			m := a.curMux
			a.mu.Unlock()
			if m != nil {
				m.Close()
			}
		})
	})
}

// lingering reports whether main's exit was acknowledged: the agent
// then serves only its files.
func (a *agent) lingering() bool {
	select {
	case <-a.acked:
		return true
	default:
		return false
	}
}

// exit is main's exit code, for Run to return.
func (a *agent) exit() (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.exitCode, nil
}
