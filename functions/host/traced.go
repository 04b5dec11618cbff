package host

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/call/calltrace"
)

// Traced returns h with a span for each call it handles, the child of
// the edge's invocation span whose context the call carries
// (call.TraceParentHeader). A nil tracer (tracing off) returns h as it
// is.
func Traced(h call.Handler, tracer trace.Tracer) call.Handler {
	if tracer == nil {
		return h
	}
	return call.HandlerFunc(func(ctx context.Context, c call.Call) call.Reply {
		ctx, span := tracer.Start(calltrace.Extract(ctx, c.Header), "function "+c.Op,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("sockerless.op", c.Op),
				attribute.String("sockerless.request_id", c.Header.Get(call.RequestIDHeader))))
		defer span.End()
		rep := h.Handle(ctx, c)
		span.SetAttributes(attribute.Int("sockerless.status", rep.Status))
		if rep.Status >= 500 {
			span.SetStatus(codes.Error, call.ErrorMessage(rep.Body))
		}
		return rep
	})
}
