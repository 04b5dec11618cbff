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
	"path/filepath"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/listen"
	"github.com/sockerless/sockerless/edge/server"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/engine"
	"github.com/sockerless/sockerless/functions/local"
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
	// WarmUp, when set, runs once in the background when the sandbox
	// runtime starts: the command uses it to compile the sandbox's WASI
	// utilities ahead of the first container, in a child process so an
	// idle local mode does not keep the compiler's memory.
	WarmUp func()
	// Serialize sends every call through a JSON round trip, as a remote
	// function would get it (tests use it to prove the envelope).
	Serialize bool
	// Runtime runs the containers: RuntimeSandbox (default) or
	// RuntimeEngine.
	Runtime string
	// EngineHost is the Docker Engine RuntimeEngine uses
	// ("unix:///var/run/docker.sock").
	EngineHost string
	// EngineAgent is a static agent binary for engine containers; empty
	// builds one with the go command from the Sockerless source.
	EngineAgent string
}

// The runtimes local mode offers.
const (
	// RuntimeSandbox runs containers in-process in the sandbox: a shell
	// and its utilities, no engine needed.
	RuntimeSandbox = "sandbox"
	// RuntimeEngine runs containers on a Docker Engine, for images whose
	// real binaries must run. Its containers use the host's network.
	RuntimeEngine = "engine"
)

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
	fn, err := openFunction(ctx, opt, agentURL)
	if err != nil {
		agentLn.Close()
		return nil, err
	}
	inst := &Instance{Function: fn, done: make(chan error, 4)}
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

// openFunction opens the local function over the runtime opt names.
func openFunction(ctx context.Context, opt Options, agentURL string) (*local.Function, error) {
	switch opt.Runtime {
	case "", RuntimeSandbox:
		fn, err := local.Open(opt.DataDir, agentURL, opt.Log)
		if err != nil {
			return nil, err
		}
		if opt.WarmUp != nil {
			go opt.WarmUp()
		}
		return fn, nil
	case RuntimeEngine:
		if opt.EngineHost == "" {
			return nil, errors.New("the engine runtime needs an engine host (--engine-host unix:///var/run/docker.sock)")
		}
		drv, err := engine.New(ctx, engine.Config{
			Host: opt.EngineHost, Dir: filepath.Join(opt.DataDir, "engine"),
			AgentURL: agentURL, AgentBinary: opt.EngineAgent, Log: opt.Log,
		})
		if err != nil {
			return nil, err
		}
		fn, err := local.OpenBackend(opt.DataDir, "local-engine", drv, opt.Log)
		if err != nil {
			drv.Close()
			return nil, err
		}
		// Building the agent takes seconds; do it before the first start.
		go func() {
			if err := drv.Warm(); err != nil {
				opt.Log.Warn("engine runtime: agent binary", "err", err)
			}
		}()
		return fn, nil
	default:
		return nil, fmt.Errorf("unknown runtime %q (want %s or %s)", opt.Runtime, RuntimeSandbox, RuntimeEngine)
	}
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
