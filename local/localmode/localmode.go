// Package localmode starts Sockerless on one machine: the edge on a unix
// socket (and optionally TCP), the local function in-process over bbolt,
// and the agent hub on a loopback port the in-process agents dial.
package localmode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/listen"
	"github.com/sockerless/sockerless/edge/server"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/local"
	"github.com/sockerless/sockerless/sandbox"
)

// Options configure one local-mode instance.
type Options struct {
	// Socket is the unix socket path of the Docker API (mode 0600).
	Socket string
	// TCP optionally adds a TCP listener ("127.0.0.1:2375").
	TCP string
	// AllowRemote permits a non-loopback TCP address.
	AllowRemote bool
	// DataDir holds the state database, images, containers and volumes.
	DataDir string
	Log     *slog.Logger
	// Serialize sends every call through a JSON round trip, as a remote
	// function would get it (tests use it to prove the envelope).
	Serialize bool
}

// Instance is a running local mode.
type Instance struct {
	Function   *local.Function
	Edge       *server.Server
	DockerHost string
	agentSrv   *http.Server
	listeners  []net.Listener
	done       chan error
}

// Start brings up local mode and returns once it accepts requests.
func Start(ctx context.Context, opt Options) (*Instance, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	agentLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("agent listener: %w", err)
	}
	agentURL := fmt.Sprintf("ws://%s/agent/v1/connect", agentLn.Addr())
	fn, err := local.Open(opt.DataDir, agentURL, opt.Log)
	if err != nil {
		agentLn.Close()
		return nil, err
	}
	inst := &Instance{Function: fn, done: make(chan error, 4)}
	// The sandbox's WASI utilities compile once; do it before the first
	// container asks for them.
	go func() { _ = sandbox.Warm() }()
	var handler call.Handler = fn
	if opt.Serialize {
		handler = call.Serialized(fn)
	}
	h := hub.New(server.AgentAuthorizer(handler))
	inst.Edge = server.New(server.Config{Handler: handler, Hub: h, Log: opt.Log, Version: core.Version})
	mux := http.NewServeMux()
	mux.Handle("/agent/v1/connect", h)
	inst.agentSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { inst.done <- ignoreClosed(inst.agentSrv.Serve(agentLn)) }()

	unixLn, err := listen.Unix(opt.Socket)
	if err != nil {
		inst.Close(ctx)
		return nil, err
	}
	inst.listeners = append(inst.listeners, unixLn)
	inst.DockerHost = "unix://" + opt.Socket
	if opt.TCP != "" {
		tcpLn, err := listen.TCP(opt.TCP, opt.AllowRemote)
		if err != nil {
			inst.Close(ctx)
			return nil, err
		}
		inst.listeners = append(inst.listeners, tcpLn)
	}
	for _, l := range inst.listeners {
		go func(l net.Listener) { inst.done <- inst.Edge.Serve(l) }(l)
	}
	return inst, nil
}

// Done delivers the first serving error.
func (i *Instance) Done() <-chan error { return i.done }

// Close stops serving, stops the workloads and closes the store.
func (i *Instance) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var errs []error
	if i.Edge != nil {
		errs = append(errs, i.Edge.Shutdown(ctx))
	}
	for _, l := range i.listeners {
		_ = l.Close()
	}
	if i.agentSrv != nil {
		_ = i.agentSrv.Close()
	}
	errs = append(errs, i.Function.Close())
	return errors.Join(errs...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
