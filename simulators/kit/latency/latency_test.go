package latency

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat      []time.Duration
		p50, p99 time.Duration
	}{
		{"one call is both percentiles", []time.Duration{5}, 5, 5},
		{"p50 is the median of unsorted calls", []time.Duration{9, 1, 5}, 5, 9},
		{"one slow call in a hundred is p99, not p50", append(make([]time.Duration, 99), time.Second), 0, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := summarize("x", tc.lat, time.Second)
			if r.P50 != tc.p50 || r.P99 != tc.p99 || r.N != len(tc.lat) || r.OpsPerS != float64(len(tc.lat)) {
				t.Fatalf("got %+v, want p50 %v p99 %v", r, tc.p50, tc.p99)
			}
		})
	}
}
