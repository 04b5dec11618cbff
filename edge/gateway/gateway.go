// Package gateway runs the edge as a process does: the Docker API on a
// unix socket (and optionally TCP) in front of a control-plane function,
// and the agent hub on its own listener, where workloads' agents dial
// home. Local mode and the remote edge (cmd/sockerless-edge) both start
// it; only the function behind it differs.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/binds"
	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/edge/listen"
	"github.com/sockerless/sockerless/edge/metrics"
	"github.com/sockerless/sockerless/edge/server"
	"github.com/sockerless/sockerless/functions/call"
)

// AgentPath is where the hub serves agents.
const AgentPath = "/agent/v1/connect"

// Options configure a Gateway.
type Options struct {
	// Socket is the unix socket path of the Docker API (mode 0600); ""
	// for none.
	Socket string
	// TCP optionally adds a TCP listener ("127.0.0.1:2375").
	TCP string
	// AllowRemote permits non-loopback TCP and agent addresses.
	AllowRemote bool
	// AgentListener is where agents connect; nil listens on a loopback
	// port of its own.
	AgentListener net.Listener
	// AgentURL is the hub's address as the workloads reach it, sent to
	// the function with every call; "" derives it from the listener
	// (ws://127.0.0.1:port/agent/v1/connect), which only workloads on
	// this machine can reach.
	AgentURL string
	// SendAgentURL sends AgentURL with every call (remote functions
	// need it; an in-process function knows its edge already).
	SendAgentURL bool
	Version      string
	Log          *slog.Logger
	// Tracer traces requests and calls; nil: tracing is off.
	Tracer trace.Tracer
	// MetricsAddr, when set, serves Prometheus metrics at
	// http://MetricsAddr/metrics (loopback only unless AllowRemote).
	MetricsAddr string
	// BindRoots are the directories whose files containers on remote
	// backends get copies of as bind mounts; empty: the user's home and
	// the working directory (binds.DefaultRoots).
	BindRoots []string
}

// Gateway is a serving edge.
type Gateway struct {
	Edge       *server.Server
	Hub        *hub.Hub
	DockerHost string
	AgentURL   string
	// MetricsURL is where the metrics are served; "" when they are off.
	MetricsURL string
	// BindRoots are the directories shared as bind-mount copies, resolved.
	BindRoots  []string
	agentSrv   *http.Server
	metricsSrv *http.Server
	listeners  []net.Listener
	done       chan error
}

// AgentListener listens for agents on addr ("" for a loopback port) and
// returns the listener and its ws:// URL.
func AgentListener(addr string, allowRemote bool) (net.Listener, string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := listen.TCP(addr, allowRemote)
	if err != nil {
		return nil, "", fmt.Errorf("agent listener: %w", err)
	}
	return l, fmt.Sprintf("ws://%s%s", l.Addr(), AgentPath), nil
}

// metricsListener listens for scrapers on addr: loopback unless
// allowRemote, since the metrics name every op the edge serves and how
// long each took.
func metricsListener(addr string, allowRemote bool) (net.Listener, error) {
	if !allowRemote && !listen.Loopback(addr) {
		return nil, fmt.Errorf("refusing to serve metrics on %s: it is not a loopback address, and the metrics tell whoever reaches them every Docker call made and how long it took; use 127.0.0.1:PORT and scrape from this machine, or allow non-loopback listening explicitly (--allow-remote)", addr)
	}
	l, err := listen.TCP(addr, true)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	return l, nil
}

// Start serves handler and returns once requests are accepted.
func Start(handler call.Handler, opt Options) (*Gateway, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	copier, err := binds.New(opt.BindRoots)
	if err != nil {
		return nil, err
	}
	agentLn := opt.AgentListener
	if agentLn == nil {
		l, _, err := AgentListener("", false)
		if err != nil {
			return nil, err
		}
		agentLn = l
	}
	g := &Gateway{AgentURL: opt.AgentURL, BindRoots: copier.Roots(), done: make(chan error, 4)}
	if g.AgentURL == "" {
		g.AgentURL = fmt.Sprintf("ws://%s%s", agentLn.Addr(), AgentPath)
	}
	var m *metrics.Metrics
	if opt.MetricsAddr != "" {
		l, err := metricsListener(opt.MetricsAddr, opt.AllowRemote)
		if err != nil {
			agentLn.Close()
			return nil, err
		}
		m = metrics.New(func() (int, int64) { return g.Hub.Sessions() })
		g.metricsSrv, g.MetricsURL = m.Server(), fmt.Sprintf("http://%s%s", l.Addr(), metrics.Path)
		go func() { g.done <- ignoreClosed(g.metricsSrv.Serve(l)) }()
	}
	// Counted and logged once, for the hub's calls as for the API's.
	handler = calllog.Wrap(handler, opt.Log, opt.Tracer, m)
	g.Hub = hub.New(server.AgentAuthorizer(handler))
	g.Hub.SetLog(opt.Log)
	cfg := server.Config{Handler: handler, Hub: g.Hub, Log: opt.Log, Version: opt.Version, Tracer: opt.Tracer, Metrics: m, Binds: copier}
	if opt.SendAgentURL {
		cfg.AgentURL = g.AgentURL
	}
	g.Edge = server.New(cfg)
	mux := http.NewServeMux()
	mux.Handle(AgentPath, g.Hub)
	g.agentSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { g.done <- ignoreClosed(g.agentSrv.Serve(agentLn)) }()

	if opt.Socket != "" {
		l, err := listen.Unix(opt.Socket)
		if err != nil {
			g.Close(context.Background())
			return nil, err
		}
		g.listeners = append(g.listeners, l)
		g.DockerHost = "unix://" + opt.Socket
	}
	if opt.TCP != "" {
		l, err := listen.TCP(opt.TCP, opt.AllowRemote)
		if err != nil {
			g.Close(context.Background())
			return nil, err
		}
		g.listeners = append(g.listeners, l)
		if g.DockerHost == "" {
			g.DockerHost = "tcp://" + l.Addr().String()
		}
	}
	if len(g.listeners) == 0 {
		g.Close(context.Background())
		return nil, errors.New("gateway: no Docker API listener: give a socket path or a TCP address")
	}
	for _, l := range g.listeners {
		go func(l net.Listener) { g.done <- g.Edge.Serve(l) }(l)
	}
	return g, nil
}

// Done delivers the first serving error.
func (g *Gateway) Done() <-chan error { return g.done }

// Close stops serving: in-flight requests get until ctx ends.
func (g *Gateway) Close(ctx context.Context) error {
	var err error
	if g.Edge != nil {
		err = g.Edge.Shutdown(ctx)
	}
	for _, l := range g.listeners {
		_ = l.Close()
	}
	if g.agentSrv != nil {
		_ = g.agentSrv.Close()
	}
	if g.metricsSrv != nil {
		_ = g.metricsSrv.Close()
	}
	return err
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
