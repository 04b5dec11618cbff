package clients

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// gitlabRunsPerTarget is how many timed gitlab-ci-local runs of the
// pipeline each target gets.
const gitlabRunsPerTarget = 3

// BenchmarkGitlabPipeline times the whole pipeline under gitlab-ci-local
// on each target (one untimed run first, so the sandbox's compile cache
// and the engines' first containers are warm) and prints the medians and
// the ratio of each Sockerless runtime to dockerd; the bar is
// sandbox ≤ 0.5 × dockerd.
func BenchmarkGitlabPipeline(b *testing.B) {
	medians := map[string]time.Duration{}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			e := tg.use(b)
			g := gitlabCILocal(b)
			files, jobs := GitlabPipeline(TestImage, gitlabServicePort)
			run := func() time.Duration {
				r := runPipeline(b, g, e, files)
				if _, failed, problems := r.Check(jobs); failed > 0 || r.Code != 0 {
					b.Fatalf("gitlab-ci-local on %s: %d jobs failed (exit %d):\n%s", tg.name, failed, r.Code, strings.Join(problems, "\n"))
				}
				return r.Wall
			}
			run()
			var times []time.Duration
			for range b.N {
				for range gitlabRunsPerTarget {
					times = append(times, run())
				}
			}
			m := harness.Median(times)
			medians[tg.name] = m
			b.ReportMetric(m.Seconds(), "s/pipeline-median")
		})
	}
	fmt.Println(medianLine("gitlab-ci-local pipeline median", medians))
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
