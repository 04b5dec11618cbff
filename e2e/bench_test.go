package e2e

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

// runsPerEngine is how many `docker run --rm IMG true` each engine gets.
const runsPerEngine = 20

// BenchmarkRunRmTrue times `docker run --rm IMG true` through the CLI on
// each available engine and reports the median, the number a user feels.
func BenchmarkRunRmTrue(b *testing.B) {
	if !rootfs.HasBusybox {
		b.Skipf("test image has no binaries: %s", rootfs.Why)
	}
	medians := map[string]time.Duration{}
	for _, sl := range engines {
		b.Run(sl.name, func(b *testing.B) {
			if sl.skip != "" {
				b.Skip(sl.skip)
			}
			if sl.fail != "" {
				b.Fatal(sl.fail)
			}
			var times []time.Duration
			for range b.N {
				for range runsPerEngine {
					start := time.Now()
					r := sl.e.Docker("run", "--rm", TestImage, "true")
					if r.Code != 0 {
						b.Fatalf("docker run --rm %s true: exit %d: %s", TestImage, r.Code, r.Stderr)
					}
					times = append(times, time.Since(start))
				}
			}
			m := median(times)
			medians[sl.name] = m
			b.ReportMetric(float64(m.Microseconds())/1000, "ms/run-median")
		})
	}
	fmt.Println(sideBySide(medians))
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sideBySide(m map[string]time.Duration) string {
	ms := func(name string) string {
		d, ok := m[name]
		if !ok {
			return "n/a"
		}
		return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
	}
	ratio := "n/a"
	if s, ok := m["sockerless"]; ok {
		if d, ok := m["dockerd"]; ok && d > 0 {
			ratio = fmt.Sprintf("%.2f", float64(s)/float64(d))
		}
	}
	return fmt.Sprintf("run --rm true: sockerless %s ms, dockerd %s ms, ratio %s", ms("sockerless"), ms("dockerd"), ratio)
}
