package host

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// Logged returns h logging each call it handles to log at level: the
// op, the edge's request id (call.RequestIDHeader) so the line joins the
// edge's, what the platform names the invocation (WithInvocation), the
// status, the duration and what the call did at the store and the
// driver. An answer of 500 or more is always logged, as an error with
// its cause.
func Logged(h call.Handler, log *slog.Logger, level slog.Level) call.Handler {
	return LoggedWith(h, log, level, nil)
}

// Figures are what a function reports about one call it handled.
type Figures struct {
	Op       string
	Status   int
	Duration time.Duration
	// StoreReads (gets, lists), StoreWrites (puts, deletes) and
	// DriverCalls count the call's work at core's seams.
	StoreReads, StoreWrites, DriverCalls int64
}

// Metrics turns a call's figures into attributes of its log line in the
// form a cloud's monitoring reads metrics from logs; the line already
// holds op, status, dur, store_reads, store_writes and driver_calls.
type Metrics func(Figures) []slog.Attr

// LoggedWith is Logged with each line also carrying what metrics adds
// (nil: nothing).
func LoggedWith(h call.Handler, log *slog.Logger, level slog.Level, metrics Metrics) call.Handler {
	return call.HandlerFunc(func(ctx context.Context, c call.Call) call.Reply {
		start := time.Now()
		var tally *core.Tally
		if log.Enabled(ctx, level) {
			ctx, tally = core.WithTally(ctx)
		}
		rep := h.Handle(ctx, c)
		lvl := level
		if rep.Status >= 500 {
			lvl = slog.LevelError
		}
		if !log.Enabled(ctx, lvl) {
			return rep
		}
		dur := time.Since(start)
		attrs := []slog.Attr{
			slog.String("req", c.Header.Get(call.RequestIDHeader)), slog.String("op", c.Op),
			slog.Int("status", rep.Status), slog.Duration("dur", dur),
		}
		if tally != nil {
			f := Figures{Op: c.Op, Status: rep.Status, Duration: dur,
				StoreReads: tally.StoreReads.Load(), StoreWrites: tally.StoreWrites.Load(), DriverCalls: tally.DriverCalls.Load()}
			attrs = append(attrs, slog.Int64("store_reads", f.StoreReads), slog.Int64("store_writes", f.StoreWrites),
				slog.Int64("driver_calls", f.DriverCalls))
			if metrics != nil {
				attrs = append(attrs, metrics(f)...)
			}
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
