package host

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/functions/call"
)

// Logged returns h logging each call it handles to log at level: the
// op, the edge's request id (call.RequestIDHeader) so the line joins the
// edge's, what the platform names the invocation (WithInvocation), the
// status and the duration. An answer of 500 or more is always logged,
// as an error with its cause.
func Logged(h call.Handler, log *slog.Logger, level slog.Level) call.Handler {
	return call.HandlerFunc(func(ctx context.Context, c call.Call) call.Reply {
		start := time.Now()
		rep := h.Handle(ctx, c)
		lvl := level
		if rep.Status >= 500 {
			lvl = slog.LevelError
		}
		if !log.Enabled(ctx, lvl) {
			return rep
		}
		attrs := []slog.Attr{
			slog.String("req", c.Header.Get(call.RequestIDHeader)), slog.String("op", c.Op),
			slog.Int("status", rep.Status), slog.Duration("dur", time.Since(start)),
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			attrs = append(attrs, slog.String("trace", sc.TraceID().String()))
		}
		if inv, ok := ctx.Value(invocationKey{}).([]slog.Attr); ok {
			attrs = append(attrs, inv...)
		}
		if rep.Status >= 500 {
			attrs = append(attrs, slog.String("err", call.ErrorMessage(rep.Body)))
		}
		log.LogAttrs(ctx, lvl, "function call", attrs...)
		return rep
	})
}

type invocationKey struct{}

// WithInvocation is how a platform's adapter names the invocation
// serving a call (on Lambda its request id, which its REPORT line
// carries), for Logged's line.
func WithInvocation(ctx context.Context, attrs ...slog.Attr) context.Context {
	return context.WithValue(ctx, invocationKey{}, attrs)
}
