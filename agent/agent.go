// Package agent is the workload's end of the agent protocol. It runs the
// container's main process through a Runtime, dials home to the edge,
// and serves attach, exec, signals, resize, archive and top over one
// multiplexed WebSocket (see package proto), keeping the main process's
// exit status until the edge has acknowledged it.
package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"sync"
	"syscall"

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

// Config says where the edge is and what to run.
type Config struct {
	// EdgeURL is the hub's endpoint, ws://host:port/agent/v1/connect.
	// A forward mode (the edge dials the agent) would add a listen
	// address here and serve the same session code.
	EdgeURL     string
	ContainerID string
	Token       string
	Main        proto.ProcessSpec
	Runtime     Runtime
	Logs        LogSink      // optional
	HTTPClient  *http.Client // optional, for dialing
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
	acked     chan struct{}  // closed when the edge acknowledges the exit
	ackOnce   sync.Once

	stdinR *io.PipeReader // main's stdin, when Main.Stdin
	stdinW *io.PipeWriter
}

// Run runs cfg.Main under the edge's control and returns its exit code
// once the edge has acknowledged it. It dials the edge and redials with
// backoff whenever the connection drops, for as long as ctx lives; when
// ctx ends first, the main process is killed (through the Runtime) and
// ctx's error is returned.
func Run(ctx context.Context, cfg Config) (int, error) {
	switch {
	case cfg.EdgeURL == "":
		return -1, errors.New("agent: no edge URL")
	case cfg.ContainerID == "":
		return -1, errors.New("agent: no container id")
	case cfg.Runtime == nil:
		return -1, errors.New("agent: no runtime")
	}
	a := &agent{cfg: cfg, ctx: ctx, run: newRunID(), state: proto.MainCreated,
		acked: make(chan struct{}), mainReady: make(chan struct{})}
	a.procs.init()
	if cfg.Main.Stdin {
		a.stdinR, a.stdinW = io.Pipe()
	}
	return a.loop()
}

func newRunID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

func (a *agent) ackExit() {
	a.ackOnce.Do(func() { close(a.acked) })
}
