// Package localmode starts Sockerless on one machine: the edge on a unix
// socket (and optionally TCP), the local function in-process over bbolt,
// and the agent hub on a loopback port the in-process agents dial.
package localmode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/edge/gateway"
	"github.com/sockerless/sockerless/edge/server"
	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/backends/local/engine"
	"github.com/sockerless/sockerless/functions/backends/local/native"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/host"
)

// Options configure one local-mode instance.
type Options struct {
	// Socket is the unix socket path of the Docker API (mode 0600).
	Socket string
	// TCP optionally adds a TCP listener ("127.0.0.1:2375").
	TCP string
	// AllowRemote permits a non-loopback TCP or metrics address.
	AllowRemote bool
	// MetricsAddr, when set, serves the edge's Prometheus metrics at
	// http://MetricsAddr/metrics.
	MetricsAddr string
	// DataDir holds the state database, images, containers and volumes.
	DataDir string
	Log     *slog.Logger
	// WarmUp, when set, runs once in the background when the sandbox
	// runtime starts: the command uses it to compile the sandbox's WASI
	// utilities ahead of the first container, in a child process so an
	// idle local mode does not keep the compiler's memory.
	WarmUp func()
	// Tracer traces requests, invocations and the function's handling;
	// nil: tracing is off.
	Tracer trace.Tracer
	// Serialize sends every call through a JSON round trip, as a remote
	// function would get it (tests use it to prove the envelope).
	Serialize bool
	// Runtime runs the containers: RuntimeAuto (the default, also ""),
	// RuntimeSandbox, RuntimeNative or RuntimeEngine.
	Runtime string
	// EngineHost is the Docker Engine RuntimeEngine uses
	// ("unix:///var/run/docker.sock").
	EngineHost string
	// EngineAgent is a static agent binary for engine and native
	// containers; empty builds one with the go command from the
	// Sockerless source.
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
	// RuntimeNative runs containers as Linux namespaces and cgroups
	// over the image's layers (runc's libcontainer): real binaries, no
	// engine; as root, or rootless in user namespaces (no cgroup
	// limits, loopback-only networks).
	RuntimeNative = "native"
	// RuntimeAuto is the native runtime where this process can run it
	// (see native.Supported), else the sandbox.
	RuntimeAuto = "auto"
)

// Instance is a running local mode.
type Instance struct {
	Function   *local.Function
	Edge       *server.Server
	DockerHost string
	// MetricsURL is where the metrics are served; "" when they are off.
	MetricsURL string
	// Runtime is the runtime that runs the containers (never "auto"),
	// RuntimeWhy why auto chose it ("" when Options named it).
	Runtime, RuntimeWhy string
	gw                  *gateway.Gateway
}

// Start brings up local mode and returns once it accepts requests.
func Start(ctx context.Context, opt Options) (*Instance, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	// A relative data dir would become a relative bind source for the
	// engine runtime's named volumes, which dockerd rejects; a relative
	// socket would print a DOCKER_HOST that works from this folder only.
	for _, p := range []*string{&opt.DataDir, &opt.Socket} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, err
		}
		*p = abs
	}
	agentLn, agentURL, err := gateway.AgentListener("", false)
	if err != nil {
		return nil, err
	}
	rt := chooseRuntime(opt.Runtime)
	fn, err := openFunction(ctx, opt, rt, agentURL)
	if err != nil {
		agentLn.Close()
		return nil, err
	}
	// The function logs its side of each call at debug: at info the
	// edge's line for the request says it all in one process.
	handler := host.Traced(host.Logged(fn, opt.Log, slog.LevelDebug), opt.Tracer)
	if opt.Serialize {
		handler = call.Serialized(handler)
	}
	gw, err := gateway.Start(handler, gateway.Options{
		Socket: opt.Socket, TCP: opt.TCP, AllowRemote: opt.AllowRemote,
		AgentListener: agentLn, AgentURL: agentURL, Version: core.Version, Log: opt.Log, Tracer: opt.Tracer,
		MetricsAddr: opt.MetricsAddr,
	})
	if err != nil {
		fn.Close()
		return nil, err
	}
	return &Instance{Function: fn, Edge: gw.Edge, DockerHost: gw.DockerHost, MetricsURL: gw.MetricsURL, Runtime: rt.Name, RuntimeWhy: rt.Why, gw: gw}, nil
}

// chooseRuntime resolves RuntimeAuto (or ""): native where this process
// can run it, else the sandbox, with why. Another name stays as it is.
func chooseRuntime(name string) core.RuntimeInfo {
	if name == RuntimeNative && native.Rootless() {
		return core.RuntimeInfo{Name: name, Why: rootlessWhy(), Rootless: true}
	}
	if name != "" && name != RuntimeAuto {
		return core.RuntimeInfo{Name: name}
	}
	if err := native.Supported(); err != nil {
		return core.RuntimeInfo{Name: RuntimeSandbox, Why: "auto: " + err.Error()}
	}
	if native.Rootless() {
		return core.RuntimeInfo{Name: RuntimeNative, Why: "auto: " + rootlessWhy(), Rootless: true}
	}
	return core.RuntimeInfo{Name: RuntimeNative, Why: "auto: running as root, with overlayfs, network namespaces and the memory and pids cgroups"}
}

// rootlessWhy says what the native runtime is when not root.
func rootlessWhy() string {
	return fmt.Sprintf("rootless (uid %d): each container in a user namespace of its own, with overlayfs; no cgroup limits, and bridge networks are loopback only (docs/rootless.md)", os.Geteuid())
}

// openFunction opens the local function over the runtime rt.
func openFunction(ctx context.Context, opt Options, rt core.RuntimeInfo, agentURL string) (*local.Function, error) {
	switch rt.Name {
	case RuntimeSandbox:
		fn, err := local.Open(opt.DataDir, agentURL, rt.Why, opt.Log)
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
		fn, err := local.OpenBackend(opt.DataDir, "local-engine", rt, drv, opt.Log)
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
	case RuntimeNative:
		drv, err := native.New(ctx, native.Config{
			Dir: opt.DataDir, AgentURL: agentURL, AgentBinary: opt.EngineAgent, Log: opt.Log,
		})
		if err != nil {
			return nil, fmt.Errorf("--runtime native: %w", err)
		}
		fn, err := local.OpenBackend(opt.DataDir, "local-native", rt, drv, opt.Log)
		if err != nil {
			drv.Close()
			return nil, err
		}
		fn.Driver = drv.Driver // builds run in the sandbox
		go func() {
			if err := drv.Warm(); err != nil {
				opt.Log.Warn("native runtime: agent binary", "err", err)
			}
		}()
		return fn, nil
	default:
		return nil, fmt.Errorf("unknown runtime %q (want %s, %s, %s or %s)", opt.Runtime, RuntimeAuto, RuntimeSandbox, RuntimeNative, RuntimeEngine)
	}
}

// Done delivers the first serving error.
func (i *Instance) Done() <-chan error { return i.gw.Done() }

// Close stops serving, stops the workloads and closes the store.
func (i *Instance) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return errors.Join(i.gw.Close(ctx), i.Function.Close())
}
