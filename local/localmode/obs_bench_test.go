package localmode

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/edge/server"
	"github.com/sockerless/sockerless/functions/call/calltrace"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/testing/otlptest"
)

// BenchmarkObservabilityOverhead times GET /containers/json?all=1
// through the edge in front of the same local function, in one run,
// alternating: with logging off (the floor), with the commands' default
// (a line per request at info, tracing off) and with tracing on,
// exporting to an OTLP receiver. The ratios say what the log line and
// the spans add to a real call.
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
	recv := otlptest.Start(b)
	b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	tracer, stop, err := calltrace.Start(ctx, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	defer stop(ctx)
	info := slog.New(slog.NewTextHandler(io.Discard, nil))
	fn := host.Logged(inst.Function, info, slog.LevelDebug)
	edges := []struct {
		name string
		h    http.Handler
	}{
		{"logging off", server.New(server.Config{Handler: fn}).Handler()},
		{"info, tracing off", server.New(server.Config{Handler: fn, Log: info}).Handler()},
		{"info, tracing on", server.New(server.Config{Handler: host.Traced(fn, tracer), Log: info, Tracer: tracer}).Handler()},
	}
	list := func(h http.Handler) error {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/containers/json?all=1", nil))
		if w.Code != http.StatusOK {
			return fmt.Errorf("status %d: %s", w.Code, w.Body)
		}
		return nil
	}
	for _, e := range edges { // warm up
		for range 20 {
			if err := list(e.h); err != nil {
				b.Fatal(err)
			}
		}
	}
	times := make([][]time.Duration, len(edges))
	b.ResetTimer()
	for range b.N {
		for range listSamples * 5 {
			for i, e := range edges {
				start := time.Now()
				if err := list(e.h); err != nil {
					b.Fatal(err)
				}
				times[i] = append(times[i], time.Since(start))
			}
		}
	}
	b.StopTimer()
	floor := medianOf(times[0])
	b.ReportMetric(0, "ns/op")
	for i, e := range edges {
		m := medianOf(times[i])
		b.Logf("%-18s median of %d: %6.1f µs, ratio to logging off %.3f", e.name, len(times[i]), micros(m), float64(m)/float64(floor))
	}
	b.ReportMetric(float64(medianOf(times[1]))/float64(floor), "info/off")
	b.ReportMetric(float64(medianOf(times[2]))/float64(floor), "traced/off")
}
