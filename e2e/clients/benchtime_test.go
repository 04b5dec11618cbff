package clients

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// timeOnTargets times a client on each target: prepare gives the
// target's run (or skips), which runs once untimed, so the sandbox's
// compile cache and the engines' first containers are warm, then
// perTarget times; it prints label's medians and the ratio of each
// Sockerless runtime to dockerd (the bar: sandbox ≤ 0.5 ×
// dockerd).
func timeOnTargets(b *testing.B, label, unit string, perTarget int, prepare func(b *testing.B, tg *target, e *harness.Engine) func() time.Duration) {
	medians := map[string]time.Duration{}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			run := prepare(b, tg, tg.use(b))
			run()
			var times []time.Duration
			for range b.N {
				for range perTarget {
					times = append(times, run())
				}
			}
			m := harness.Median(times)
			medians[tg.name] = m
			b.ReportMetric(m.Seconds(), unit)
		})
	}
	fmt.Println(medianLine(label, medians))
}

// medianLine is a benchmark's summary line: each target's median and
// each Sockerless runtime's ratio to dockerd's.
func medianLine(label string, m map[string]time.Duration) string {
	var parts []string
	for _, name := range []string{"sandbox", "engine", "dockerd"} {
		if d, ok := m[name]; ok {
			parts = append(parts, fmt.Sprintf("%s %.2fs", name, d.Seconds()))
		} else {
			parts = append(parts, name+" n/a")
		}
	}
	line := label + ": " + strings.Join(parts, ", ")
	if d, ok := m["dockerd"]; ok && d > 0 {
		for _, name := range []string{"sandbox", "engine"} {
			if s, ok := m[name]; ok {
				line += fmt.Sprintf("; %s/dockerd %.2f", name, s.Seconds()/d.Seconds())
			}
		}
	}
	return line
}
