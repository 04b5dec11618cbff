// Package metrics counts the edge's work for Prometheus: Docker API
// requests by op and status with their latency, the function
// invocations each one caused, agent sessions and the bytes streams
// carried. The edge serves them in Prometheus's text format on an
// opt-in loopback address (Serve). A nil *Metrics counts nothing, so
// metrics off cost one nil check.
package metrics

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one edge's counters, in a registry of their own.
type Metrics struct {
	reg              *prometheus.Registry
	requests         *prometheus.CounterVec
	requestSeconds   *prometheus.HistogramVec
	requestCalls     *prometheus.HistogramVec
	invocations      *prometheus.CounterVec
	invocationSecond *prometheus.HistogramVec
	streamBytes      *prometheus.CounterVec
}

// Sessions reports the agent sessions: open now, and opened since the
// edge started (agent/hub.Hub.Sessions).
type Sessions func() (open int, opened int64)

// New returns the counters, with the Go runtime's and the process's own
// beside them; sessions, when not nil, is read at each scrape.
func New(sessions Sessions) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sockerless_edge_requests_total",
			Help: "Docker API requests the edge answered, by route op and HTTP status.",
		}, []string{"op", "status"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sockerless_edge_request_duration_seconds",
			Help:    "Time from a Docker API request's arrival to the end of its answer (streams included), by route op.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10), // 0.5 ms to 131 s
		}, []string{"op"}),
		requestCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sockerless_edge_request_invocations",
			Help:    "Function invocations one Docker API request caused (a stream's polls included), by route op.",
			Buckets: []float64{0, 1, 2, 3, 5, 8, 13, 21, 55, 144},
		}, []string{"op"}),
		invocations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sockerless_edge_invocations_total",
			Help: "Calls to the control-plane function, by call op and the status it answered.",
		}, []string{"op", "status"}),
		invocationSecond: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sockerless_edge_invocation_duration_seconds",
			Help:    "Round trip of one call to the control-plane function, by call op.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}, []string{"op"}),
		streamBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sockerless_edge_stream_bytes_total",
			Help: "Bytes streams carried between the edge and Docker clients (attach, exec, logs, events, build), by stream kind and direction (in: from the client).",
		}, []string{"kind", "direction"}),
	}
	reg.MustRegister(m.requests, m.requestSeconds, m.requestCalls, m.invocations, m.invocationSecond, m.streamBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if sessions != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "sockerless_edge_agent_sessions",
				Help: "Agent sessions (running workloads' agents dialled home) open now.",
			}, func() float64 { open, _ := sessions(); return float64(open) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "sockerless_edge_agent_sessions_opened_total",
				Help: "Agent sessions opened since the edge started.",
			}, func() float64 { _, opened := sessions(); return float64(opened) }))
	}
	return m
}

// Request counts one answered Docker API request that caused calls
// invocations.
func (m *Metrics) Request(op string, status int, dur time.Duration, calls int) {
	if m == nil {
		return
	}
	if op == "" {
		op = "unrouted"
	}
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.requestSeconds.WithLabelValues(op).Observe(dur.Seconds())
	m.requestCalls.WithLabelValues(op).Observe(float64(calls))
}

// Invocation counts one call to the function.
func (m *Metrics) Invocation(op string, status int, dur time.Duration) {
	if m == nil {
		return
	}
	m.invocations.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.invocationSecond.WithLabelValues(op).Observe(dur.Seconds())
}

// StreamBytes counts what a stream of kind carried: in from the client,
// out to it.
func (m *Metrics) StreamBytes(kind string, in, out int64) {
	if m == nil {
		return
	}
	if in > 0 {
		m.streamBytes.WithLabelValues(kind, "in").Add(float64(in))
	}
	if out > 0 {
		m.streamBytes.WithLabelValues(kind, "out").Add(float64(out))
	}
}

// Handler serves the metrics in Prometheus's text format (or what the
// scraper's Accept asks for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Path is where the metrics listener answers.
const Path = "/metrics"

// Server serves m at Path, on a listener of its own apart from the
// Docker API: a scraper needs no access to containers.
func (m *Metrics) Server() *http.Server {
	mux := http.NewServeMux()
	mux.Handle(Path, m.Handler())
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}

// Stream counts the bytes one stream carries, from the goroutines that
// carry them.
type Stream struct{ In, Out atomic.Int64 }

type streamKey struct{}

// WithStream returns ctx carrying s, for package streams' hijacked
// connections to count into.
func WithStream(ctx context.Context, s *Stream) context.Context {
	return context.WithValue(ctx, streamKey{}, s)
}

// StreamOf is the Stream ctx carries, or nil.
func StreamOf(ctx context.Context) *Stream {
	s, _ := ctx.Value(streamKey{}).(*Stream)
	return s
}

// Writer counts into n what it writes to w.
type Writer struct {
	W io.Writer
	N *atomic.Int64
}

func (c Writer) Write(p []byte) (int, error) {
	n, err := c.W.Write(p)
	c.N.Add(int64(n))
	return n, err
}

// Reader counts into n what it reads from r.
type Reader struct {
	R io.Reader
	N *atomic.Int64
}

func (c Reader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N.Add(int64(n))
	return n, err
}
