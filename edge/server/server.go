// Package server terminates the Docker Engine API: it routes each
// request, checks its API version, turns it into a call.Call, invokes
// the function and writes the call.Reply, handing streams to package
// streams.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/apiversion"
	"github.com/sockerless/sockerless/edge/binds"
	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/edge/metrics"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/edge/router"
	"github.com/sockerless/sockerless/edge/streams"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/call/calltrace"
)

// Default body limits. The edge reads a request body whole into the
// envelope (a Lambda payload has to be whole anyway), so an image load,
// an import or an archive upload is bounded by MaxBodyBytes.
const (
	DefaultMaxBodyBytes     = 512 << 20
	DefaultMaxJSONBodyBytes = 4 << 20
)

// Config configures a Server.
type Config struct {
	// Handler is the control-plane function: in-process in local mode,
	// a Lambda or HTTPS client otherwise. It is the only seam.
	Handler call.Handler
	// Hub finds the agent sessions of running containers. New sets its
	// OnExit to report exits to Handler (call.OpContainerExited) and its
	// OnExitAcked to carry out --rm (call.OpContainerAutoRemove) and
	// restart policies (call.OpContainerRestartByPolicy); build
	// it with hub.New(AgentAuthorizer(Handler)). Nil means no agent can
	// connect; streams that need one fail saying so.
	Hub *hub.Hub
	// MaxBodyBytes bounds archive uploads, image load and import
	// (default 512 MiB); MaxJSONBodyBytes bounds every other body
	// (default 4 MiB).
	MaxBodyBytes     int64
	MaxJSONBodyBytes int64
	// AgentURL is where workloads' agents reach this edge's hub
	// (ws://host:port/agent/v1/connect), sent with every call so remote
	// backends tell their agents where to dial. Empty: the function's
	// own setting holds (local mode knows its edge).
	AgentURL string
	// Version is the engine version shown in the Server header
	// ("Docker/<Version> (linux)"); default "sockerless".
	Version string
	Log     *slog.Logger
	// Tracer traces each request and the calls it makes; nil: tracing
	// is off.
	Tracer trace.Tracer
	// Metrics counts requests, invocations and stream bytes; nil:
	// metrics are off.
	Metrics *metrics.Metrics
	// Binds copies bind mounts for workloads that cannot mount this
	// machine's directories (the remote backends), sharing the
	// directories it was made with; nil: binds.Default.
	Binds *binds.Copier
}

// Server is the Docker API edge.
type Server struct {
	cfg     Config
	routes  *router.Router
	streams *streams.Env
	http    *http.Server
	cancel  context.CancelFunc

	removals pendingIDs
	restarts pendingIDs
}

// New builds a Server from cfg, filling in defaults.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxJSONBodyBytes <= 0 {
		cfg.MaxJSONBodyBytes = DefaultMaxJSONBodyBytes
	}
	if cfg.Version == "" {
		cfg.Version = "sockerless"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Handler = calllog.Wrap(cfg.Handler, cfg.Log, cfg.Tracer, cfg.Metrics)
	if cfg.Binds == nil {
		cfg.Binds = binds.Default()
	}
	bg, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:    cfg,
		routes: router.Default(),
		streams: &streams.Env{
			Handler:    cfg.Handler,
			Hub:        cfg.Hub,
			Binds:      cfg.Binds,
			Log:        cfg.Log,
			Background: bg,
		},
		cancel: cancel,
	}
	if cfg.Hub != nil {
		cfg.Hub.OnExit(s.reportExit)
		cfg.Hub.OnExitAcked(s.exitAcked)
		cfg.Hub.OnHealth(s.reportHealth)
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		// Requests live under the server's context so Shutdown can end
		// the long ones.
		BaseContext: func(net.Listener) context.Context { return bg },
		ErrorLog:    slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler returns the edge as an http.Handler, for httptest or for a
// caller that runs its own http.Server.
func (s *Server) Handler() http.Handler { return s }

// Serve accepts connections on l until Shutdown. It may be called for
// several listeners (a unix socket and a TCP port) at once.
func (s *Server) Serve(l net.Listener) error {
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits, until ctx ends, for
// ordinary requests to finish. Then it ends what is left: hijacked
// streams (attach, exec), followers (logs, events, wait) and detached
// execs' bridges, whose processes keep running in their workloads.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	s.cancel()
	if err != nil {
		_ = s.http.Close()
	}
	return err
}

// ServeHTTP routes one request and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, req := calllog.Begin(r.Context())
	x := &exchange{start: time.Now(), req: req, method: r.Method}
	if s.cfg.Tracer != nil {
		// A client that traces (the docker CLI with OTEL_* set) sends
		// its span's context: this request's span is its child.
		ctx, x.span = s.cfg.Tracer.Start(calltrace.Extract(ctx, r.Header), "docker request",
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("sockerless.request_id", req.ID)))
	}
	sw := &statusWriter{ResponseWriter: w}
	defer s.logRequest(ctx, sw, x)
	s.serve(sw, r.WithContext(ctx), x)
}

// serve answers one request, noting in x what its log line says.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *exchange) {
	// dockerd sets these on every response, errors included.
	h := w.Header()
	h.Set("Api-Version", apiversion.Max)
	h.Set("Ostype", "linux")
	h.Set("Server", fmt.Sprintf("Docker/%s (linux)", s.cfg.Version))

	m, ok := s.routes.Match(r.Method, r.URL.Path)
	if !ok {
		reply.WriteError(w, http.StatusNotFound, "page not found")
		return
	}
	x.op, x.ref = m.Op, calllog.Ref(m.Vars)
	if x.span != nil {
		x.span.SetName("docker " + m.Op)
		x.span.SetAttributes(attribute.String("sockerless.op", m.Op), attribute.String("sockerless.ref", x.ref))
	}
	version, err := apiversion.Check(m.Version)
	if err != nil {
		reply.WriteError(w, http.StatusBadRequest, "%s", err)
		return
	}
	c, status, err := s.envelope(r, m, version)
	if err != nil {
		reply.WriteError(w, status, "%s", err)
		return
	}
	c.Header.Set(call.RequestIDHeader, x.req.ID)
	rep := s.streams.Call(r.Context(), c)
	x.status = reply.Status(rep)
	if id := createdRef(c.Op, rep); id != "" {
		x.ref = id
	}
	s.streams.NudgeAfter(c, rep)
	if c.Op == call.OpPing {
		pingHeaders(w.Header())
	}
	if rep.Stream != nil && reply.Status(rep) < 300 {
		s.serveStream(w, r, c, rep)
		return
	}
	if r.Method == http.MethodHead {
		rep.Body = nil
	}
	reply.Write(w, rep)
}

// serveStream hands a streaming reply to package streams, keeping a
// panic in the bridge from killing the edge, and counts the bytes it
// carries when metrics are on.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	if s.cfg.Metrics != nil {
		var n metrics.Stream
		// What goes through w, and what a hijacked connection carries
		// (package streams counts that into n).
		w = &countingWriter{ResponseWriter: w, n: &n.Out}
		r = r.WithContext(metrics.WithStream(r.Context(), &n))
		defer func() { s.cfg.Metrics.StreamBytes(string(rep.Stream.Kind), n.In.Load(), n.Out.Load()) }()
	}
	start := time.Now()
	s.cfg.Log.Debug("stream start", "req", c.Header.Get(call.RequestIDHeader), "kind", rep.Stream.Kind, "container", rep.Stream.Container)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Log.Error("stream panicked", "op", c.Op, "kind", rep.Stream.Kind, "panic", p)
			reply.WriteError(w, http.StatusInternalServerError, "internal error in %s stream: %v", rep.Stream.Kind, p)
		}
		s.cfg.Log.Debug("stream end", "req", c.Header.Get(call.RequestIDHeader), "kind", rep.Stream.Kind, "container", rep.Stream.Container, "dur", time.Since(start))
	}()
	s.streams.Serve(w, r, c, rep)
}

// pingHeaders are the capability headers the docker CLI reads from
// /_ping. BuildKit is not served, hence builder version 1.
func pingHeaders(h http.Header) {
	h.Set("Api-Version", apiversion.Max)
	h.Set("Docker-Experimental", "false")
	h.Set("Ostype", "linux")
	h.Set("Builder-Version", "1")
	h.Set("Swarm", "inactive")
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Set("Pragma", "no-cache")
}
