// Package latency times a simulator benchmark's operations one by one and
// reports their throughput and p50/p99 latency, as metrics of the
// benchmark and as one line a person reads.
//
// The GCP simulator's Firestore benchmark compares the simulator with the
// real emulator by these figures.
package latency

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Result is one benchmark's figures.
type Result struct {
	Name     string
	N        int
	OpsPerS  float64
	P50, P99 time.Duration
}

func (r Result) String() string {
	return fmt.Sprintf("%s: %.0f ops/s, p50 %v, p99 %v over %d ops", r.Name, r.OpsPerS, r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.N)
}

// Measure runs op b.N times, timing each call; it fails the benchmark on
// the first error and reports ops/s, p50-µs and p99-µs.
func Measure(b *testing.B, op func(i int) error) Result {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	total := time.Since(start)
	b.StopTimer()
	r := summarize(b.Name(), lat, total)
	b.ReportMetric(r.OpsPerS, "ops/s")
	b.ReportMetric(float64(r.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(r.P99.Microseconds()), "p99-µs")
	return r
}

// summarize computes the figures of calls that took lat, total together.
func summarize(name string, lat []time.Duration, total time.Duration) Result {
	slices.Sort(lat)
	return Result{Name: name, N: len(lat), OpsPerS: float64(len(lat)) / total.Seconds(), P50: lat[len(lat)/2], P99: lat[len(lat)*99/100]}
}
