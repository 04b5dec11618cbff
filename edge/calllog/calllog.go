// Package calllog counts and logs the edge's calls to the function. A
// Docker API request carries a Request in its context: every call made
// under it (the first one, a stream's polls) counts against it and
// carries its id to the function in call.RequestIDHeader, so the
// function's log lines join the edge's. A call made outside any request
// (an agent's exit report or authentication) gets an id of its own and a
// log line of its own at info.
package calllog

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/edge/metrics"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/call/calltrace"
)

// Request is one Docker API request as the edge's log sees it.
type Request struct {
	ID    string
	calls atomic.Int32
}

// Calls is how many function invocations the request has caused so far.
func (r *Request) Calls() int { return int(r.calls.Load()) }

type ctxKey struct{}

// Begin starts a Request with a fresh id under ctx.
func Begin(ctx context.Context) (context.Context, *Request) {
	r := &Request{ID: NewID()}
	return context.WithValue(ctx, ctxKey{}, r), r
}

// FromContext is the Request ctx carries, or nil.
func FromContext(ctx context.Context) *Request {
	r, _ := ctx.Value(ctxKey{}).(*Request)
	return r
}

// Carry returns dst carrying the Request and the span of src, if any: a
// hijacked stream runs under the server's background context but its
// calls still count against, and trace under, the request that started
// it.
func Carry(dst, src context.Context) context.Context {
	if r := FromContext(src); r != nil {
		dst = context.WithValue(dst, ctxKey{}, r)
	}
	if span := trace.SpanFromContext(src); span.SpanContext().IsValid() {
		dst = trace.ContextWithSpan(dst, span)
	}
	return dst
}

// NewID is a random 64-bit request id in hex: unique enough to find one
// request's lines among an edge's and its function's.
func NewID() string {
	var b [16]byte
	return string(strconv.AppendUint(b[:0], rand.Uint64()|1<<63, 16))
}

// Handler counts and logs the calls it passes to the function, and
// traces them when it has a tracer.
type Handler struct {
	next    call.Handler
	log     *slog.Logger
	tracer  trace.Tracer
	metrics *metrics.Metrics
}

// Wrap returns next counted and logged to log, with a span for each
// call when tracer is not nil (tracing off) and counted in m when it is
// not nil (metrics off); a Handler (or nil) is returned as it is, so
// wrapping twice counts once.
func Wrap(next call.Handler, log *slog.Logger, tracer trace.Tracer, m *metrics.Metrics) call.Handler {
	if _, ok := next.(*Handler); ok || next == nil {
		return next
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{next: next, log: log, tracer: tracer, metrics: m}
}

// Handle passes c to the function with the request id set, counts it
// against its request and logs it: at debug under a request, at info
// when it is a call of its own, as an error when the function answered
// 500 or more.
func (h *Handler) Handle(ctx context.Context, c call.Call) call.Reply {
	req := FromContext(ctx)
	var id string
	if req != nil {
		req.calls.Add(1)
		id = req.ID
	} else {
		id = NewID()
	}
	if c.Header.Get(call.RequestIDHeader) != id {
		// The edge's own calls build their headers fresh; a stream's
		// polls share the request's, which already holds its id.
		c.Header = c.Header.Clone()
		if c.Header == nil {
			c.Header = http.Header{}
		}
		c.Header.Set(call.RequestIDHeader, id)
	}
	var span trace.Span
	if h.tracer != nil {
		ctx, span = h.tracer.Start(ctx, "invoke "+c.Op, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("sockerless.op", c.Op), attribute.String("sockerless.request_id", id)))
		c = calltrace.Inject(ctx, c)
	}
	start := time.Now()
	rep := h.next.Handle(ctx, c)
	if span != nil {
		EndSpan(span, rep.Status, rep.Body)
	}
	h.metrics.Invocation(c.Op, rep.Status, time.Since(start))
	level, msg := slog.LevelDebug, "invocation"
	if req == nil {
		level, msg = slog.LevelInfo, "edge call"
	}
	if rep.Status >= 500 {
		level = slog.LevelError
	}
	if h.log.Enabled(ctx, level) {
		attrs := []slog.Attr{
			slog.String("req", id), slog.String("op", c.Op), slog.Int("status", rep.Status),
			slog.Duration("dur", time.Since(start)), slog.Int("bytes", len(rep.Body)),
		}
		if ref := Ref(c.Vars); ref != "" {
			attrs = append(attrs, slog.String("ref", ref))
		}
		if rep.Status >= 500 {
			attrs = append(attrs, slog.String("err", call.ErrorMessage(rep.Body)))
		}
		h.log.LogAttrs(ctx, level, msg, attrs...)
	}
	return rep
}

// EndSpan ends span with the status a call or request was answered
// with, marked an error with its cause from 500 on.
func EndSpan(span trace.Span, status int, errBody []byte) {
	span.SetAttributes(attribute.Int("sockerless.status", status))
	if status >= 500 {
		span.SetStatus(codes.Error, call.ErrorMessage(errBody))
	}
	span.End()
}

// Ref is the container, image, exec, network or volume a call names in
// its path, or "".
func Ref(vars map[string]string) string {
	if v := vars["name"]; v != "" {
		return v
	}
	return vars["id"]
}
