// Package calltrace carries a call's W3C trace context across the
// envelope (call.TraceParentHeader) and starts the tracer both ends use:
// spans exported over OTLP/HTTP when the standard OTEL_EXPORTER_OTLP_*
// variables name an endpoint, and no tracer at all otherwise, so that
// tracing off costs nothing.
package calltrace

import (
	"context"
	"net/http"
	"os"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/functions/call"
)

// Enabled says whether getenv names an OTLP endpoint for traces.
func Enabled(getenv func(string) string) bool {
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Start returns the tracer of service, exporting over OTLP/HTTP as the
// OTEL_EXPORTER_OTLP_* variables say, and the function that flushes and
// stops it. With no endpoint set it returns a nil tracer and a no-op.
// A process the platform freezes between invocations (a Lambda
// function) exports each span as it ends (sync); others in batches.
func Start(ctx context.Context, service string, sync bool) (trace.Tracer, func(context.Context) error, error) {
	if !Enabled(os.Getenv) {
		return nil, func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, err
	}
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win.
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, nil, err
	}
	export := sdktrace.WithBatcher(exp)
	if sync {
		export = sdktrace.WithSyncer(exp)
	}
	tp := sdktrace.NewTracerProvider(export, sdktrace.WithResource(res))
	return tp.Tracer("github.com/sockerless/sockerless"), tp.Shutdown, nil
}

var traceContext = propagation.TraceContext{}

// Inject returns c carrying the trace context of ctx's span in its
// header (a copy of it: the caller's may be shared).
func Inject(ctx context.Context, c call.Call) call.Call {
	h := make(http.Header, len(c.Header)+1)
	for k, v := range c.Header {
		h[k] = v
	}
	traceContext.Inject(ctx, propagation.HeaderCarrier(h))
	c.Header = h
	return c
}

// Extract returns ctx with the span context h carries (a Call's header,
// or a Docker client's request's) as its parent, in place of any span
// ctx had: spans hang only on what crossed the envelope, so an
// in-process function traces as a remote one does.
func Extract(ctx context.Context, h http.Header) context.Context {
	ctx = trace.ContextWithSpanContext(ctx, trace.SpanContext{})
	if h.Get(call.TraceParentHeader) == "" {
		return ctx
	}
	return traceContext.Extract(ctx, propagation.HeaderCarrier(h))
}
