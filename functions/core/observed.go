package core

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/functions/state"
)

// Tally counts what one call did at core's seams: store reads (get,
// list), store writes (put, delete) and compute driver calls. A host
// puts one in the call's context (WithTally) to report the figures.
type Tally struct {
	StoreReads, StoreWrites, DriverCalls atomic.Int64
}

type tallyKey struct{}

// WithTally returns ctx carrying a fresh Tally, and the Tally.
func WithTally(ctx context.Context) (context.Context, *Tally) {
	t := &Tally{}
	return context.WithValue(ctx, tallyKey{}, t), t
}

// count adds one to the counter pick chooses in ctx's Tally, if any.
func count(ctx context.Context, pick func(*Tally) *atomic.Int64) {
	if t, ok := ctx.Value(tallyKey{}).(*Tally); ok {
		pick(t).Add(1)
	}
}

func reads(t *Tally) *atomic.Int64  { return &t.StoreReads }
func writes(t *Tally) *atomic.Int64 { return &t.StoreWrites }
func driver(t *Tally) *atomic.Int64 { return &t.DriverCalls }

// startSpan starts a child of ctx's span when that span records (the
// host traced the call), from the same tracer; otherwise it returns a
// nil span and costs a context lookup. Core needs no tracer of its own.
func startSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, nil
	}
	return parent.TracerProvider().Tracer("github.com/sockerless/sockerless/functions/core").
		Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// endSpan ends span (if any), marked an error when err is one; a
// record not found or a lost race is an answer, not a failure.
func endSpan(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil && !errors.Is(err, state.ErrNotFound) && !errors.Is(err, state.ErrConflict) {
		span.SetStatus(codes.Error, err.Error())
	} else if err != nil {
		span.SetAttributes(attribute.String("sockerless.outcome", err.Error()))
	}
	span.End()
}

// observedStore is the store as core sees it: each operation counted in
// the call's Tally and traced under the call's span.
type observedStore struct{ state.Store }

func (s observedStore) Get(ctx context.Context, key string) (state.Record, error) {
	count(ctx, reads)
	ctx, span := startSpan(ctx, "store.get", attribute.String("sockerless.key", key))
	r, err := s.Store.Get(ctx, key)
	endSpan(span, err)
	return r, err
}

func (s observedStore) Put(ctx context.Context, key string, value []byte, expect int64, ttl time.Duration) (int64, error) {
	count(ctx, writes)
	ctx, span := startSpan(ctx, "store.put", attribute.String("sockerless.key", key), attribute.Int("sockerless.bytes", len(value)))
	v, err := s.Store.Put(ctx, key, value, expect, ttl)
	endSpan(span, err)
	return v, err
}

func (s observedStore) Delete(ctx context.Context, key string, expect int64) error {
	count(ctx, writes)
	ctx, span := startSpan(ctx, "store.delete", attribute.String("sockerless.key", key))
	err := s.Store.Delete(ctx, key, expect)
	endSpan(span, err)
	return err
}

func (s observedStore) List(ctx context.Context, prefix, after string, limit int) ([]state.Record, string, error) {
	count(ctx, reads)
	ctx, span := startSpan(ctx, "store.list", attribute.String("sockerless.prefix", prefix))
	rs, next, err := s.Store.List(ctx, prefix, after, limit)
	if span != nil {
		span.SetAttributes(attribute.Int("sockerless.records", len(rs)))
	}
	endSpan(span, err)
	return rs, next, err
}

// observedCompute is the driver's runner as core calls it: each call
// counted and traced like the store's. Core looks for the driver's
// optional capabilities (Preparer, Volumes, ...) on the driver itself.
type observedCompute struct{ Compute }

func (d observedCompute) Start(ctx context.Context, w Workload) error {
	count(ctx, driver)
	ctx, span := startSpan(ctx, "driver.start", attribute.String("sockerless.container", w.ID))
	err := d.Compute.Start(ctx, w)
	endSpan(span, err)
	return err
}

func (d observedCompute) Status(ctx context.Context, id string) (WorkloadStatus, error) {
	count(ctx, driver)
	ctx, span := startSpan(ctx, "driver.status", attribute.String("sockerless.container", id))
	st, err := d.Compute.Status(ctx, id)
	endSpan(span, err)
	return st, err
}

func (d observedCompute) Stop(ctx context.Context, id string) error {
	count(ctx, driver)
	ctx, span := startSpan(ctx, "driver.stop", attribute.String("sockerless.container", id))
	err := d.Compute.Stop(ctx, id)
	endSpan(span, err)
	return err
}

func (d observedCompute) Remove(ctx context.Context, id string) error {
	count(ctx, driver)
	ctx, span := startSpan(ctx, "driver.remove", attribute.String("sockerless.container", id))
	err := d.Compute.Remove(ctx, id)
	endSpan(span, err)
	return err
}

func (d observedCompute) Logs(ctx context.Context, id, cursor string) ([]LogEntry, string, error) {
	count(ctx, driver)
	ctx, span := startSpan(ctx, "driver.logs", attribute.String("sockerless.container", id))
	es, next, err := d.Compute.Logs(ctx, id, cursor)
	endSpan(span, err)
	return es, next, err
}
