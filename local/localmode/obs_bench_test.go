package localmode

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/edge/metrics"
	"github.com/sockerless/sockerless/edge/server"
	"github.com/sockerless/sockerless/functions/call/calltrace"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/testing/otlptest"
)

// BenchmarkObservabilityOverhead times GET /containers/json?all=1
// through the edge in front of the same local function, in one run,
// alternating: with logging off (the floor), with the commands' default
// (a line per request at info, tracing off) and with tracing on,
// exporting to an OTLP receiver, and with the Prometheus metrics on.
// The ratios say what the log line, the spans and the metrics add to a
// real call.
func BenchmarkObservabilityOverhead(b *testing.B) {
	inst, cli, _ := benchLocal(b)
	ref := benchImage(b, cli)
	ctx := context.Background()
	for i := range 10 {
		if _, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Name: fmt.Sprintf("obs-%02d", i), Config: &container.Config{Image: ref, Cmd: []string{"true"}},
		}); err != nil {
			b.Fatal(err)
		}
	}
	tracer, info := benchObservers(b)
	fn := host.Logged(inst.Function, info, slog.LevelDebug)
	edges := []http.Handler{ // as observed names them
		server.New(server.Config{Handler: fn}).Handler(),
		server.New(server.Config{Handler: fn, Log: info}).Handler(),
		server.New(server.Config{Handler: fn, Log: info, Metrics: metrics.New(nil)}).Handler(),
		server.New(server.Config{Handler: host.Traced(fn, tracer), Log: info, Tracer: tracer}).Handler(),
	}
	variants := make([]variant, len(edges))
	for i, h := range edges {
		variants[i] = variant{observed[i].name, observed[i].unit, func() error {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/containers/json?all=1", nil))
			if w.Code != http.StatusOK {
				return fmt.Errorf("status %d: %s", w.Code, w.Body)
			}
			return nil
		}}
	}
	compareVariants(b, variants, 20, listSamples*5)
}

// benchObservers are what the observed variants use: a tracer exporting
// to a real OTLP receiver, stopped when b ends, and a logger at info
// whose lines go nowhere.
func benchObservers(b *testing.B) (trace.Tracer, *slog.Logger) {
	recv := otlptest.Start(b)
	b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	tracer, stop, err := calltrace.Start(context.Background(), "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stop(context.Background()) })
	return tracer, slog.New(slog.NewTextHandler(io.Discard, nil))
}

// variant is one way of serving the same work, timed by compareVariants;
// unit names its ratio to the first in the benchmark's figures.
type variant struct {
	name, unit string
	run        func() error
}

// observed are the variants the benchmarks compare, the floor first.
var observed = []struct{ name, unit string }{
	{"logging off", ""},
	{"info, tracing off", "info/off"},
	{"info, metrics on", "metrics/off"},
	{"info, tracing on", "traced/off"},
}

// compareVariants warms each variant up, then times them in turns,
// rounds times, each round starting one further along (what a run
// leaves behind, an exit or a removal in the background, lands on each
// variant alike), and reports each median and its ratio to the first
// variant's.
func compareVariants(b *testing.B, vs []variant, warm, rounds int) {
	for _, v := range vs {
		for range warm {
			if err := v.run(); err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
		}
	}
	times := make([][]time.Duration, len(vs))
	b.ResetTimer()
	for range b.N {
		for r := range rounds {
			for k := range vs {
				i := (r + k) % len(vs)
				start := time.Now()
				if err := vs[i].run(); err != nil {
					b.Fatalf("%s: %v", vs[i].name, err)
				}
				times[i] = append(times[i], time.Since(start))
			}
		}
	}
	b.StopTimer()
	floor := medianOf(times[0])
	b.ReportMetric(0, "ns/op")
	for i, v := range vs {
		m := medianOf(times[i])
		b.Logf("%-18s median of %d: %9.1f µs, ratio to %s %.3f", v.name, len(times[i]), micros(m), vs[0].name, float64(m)/float64(floor))
		if v.unit != "" {
			b.ReportMetric(float64(m)/float64(floor), v.unit)
		}
	}
}

// BenchmarkObservabilityRunRm times `docker run --rm IMG true` (the
// docker CLI's calls, over the SDK) against whole local-mode instances
// that differ only in what they observe, in one run, alternating: logging
// off (the floor), the commands' default (a line per request at info,
// tracing off; the goal: at most 2 % over the floor), info with the
// Prometheus metrics on, and info traced to an OTLP receiver.
func BenchmarkObservabilityRunRm(b *testing.B) {
	ctx := context.Background()
	tracer, info := benchObservers(b)
	var vs []variant
	for i, opt := range []Options{ // as observed names them
		{Log: slog.New(slog.DiscardHandler)},
		{Log: info},
		{Log: info, MetricsAddr: "127.0.0.1:0"},
		{Log: info, Tracer: tracer},
	} {
		opt.Socket, opt.DataDir = filepath.Join(benchTempDir(b), "docker.sock"), b.TempDir()
		_, cli := startWith(b, ctx, opt)
		ref := benchImage(b, cli)
		vs = append(vs, variant{observed[i].name, observed[i].unit, func() error { return runRmTrue(ctx, cli, ref) }})
	}
	compareVariants(b, vs, 3, runRmSamples*5)
}
