package clients

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// actRunsPerTarget is how many timed act runs of the workflow each target gets.
const actRunsPerTarget = 3

// BenchmarkActJob times the whole CI workflow under act on each target
// (one untimed run first, so the sandbox's compile cache and the engines'
// first container are warm) and prints the medians and the ratio of each
// Sockerless runtime to dockerd; the bar is sandbox ≤ 0.5 × dockerd.
func BenchmarkActJob(b *testing.B) {
	medians := map[string]time.Duration{}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			e := tg.use(b)
			bin := act(b)
			w := CIWorkflow(TestImage)
			run := func() time.Duration {
				r := runWorkflow(b, bin, e.Host, w)
				showLeftovers(b, e)
				if _, failed, problems := r.Check(w.Steps); failed > 0 || r.Code != 0 {
					b.Fatalf("act on %s: %d steps failed (exit %d):\n%s", tg.name, failed, r.Code, strings.Join(problems, "\n"))
				}
				return r.Wall
			}
			run()
			var times []time.Duration
			for range b.N {
				for range actRunsPerTarget {
					times = append(times, run())
				}
			}
			m := harness.Median(times)
			medians[tg.name] = m
			b.ReportMetric(m.Seconds(), "s/job-median")
		})
	}
	fmt.Println(actTimes(medians))
}

// actTimes is the benchmark's summary line.
func actTimes(m map[string]time.Duration) string { return medianLine("act job median", m) }
