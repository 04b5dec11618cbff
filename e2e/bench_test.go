package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// runsPerEngine is how many `docker run --rm IMG true` each engine gets.
const runsPerEngine = 20

// BenchmarkRunRmTrue times `docker run --rm IMG true` through the CLI on
// each available engine and reports the median, the number a user feels.
func BenchmarkRunRmTrue(b *testing.B) {
	benchRuns(b, "run --rm true", runsPerEngine, "run", "--rm", TestImage, "true")
}

// BenchmarkShellPipe is issue 3's shell figure: a pipe inside the
// container, so the shell and a utility both run.
func BenchmarkShellPipe(b *testing.B) {
	benchRuns(b, "run --rm sh -c 'echo hi | wc -c'", runsPerEngine, "run", "--rm", TestImage, "sh", "-c", "echo hi | wc -c")
}

// BenchmarkTextPipeline runs a 10,000-line grep/sort/uniq pipeline in one
// container per engine run, the shape of a CI log-crunching step.
func BenchmarkTextPipeline(b *testing.B) {
	script := `seq 1 10000 | awk '{print $1 % 97}' | grep -v 5 | sort -n | uniq -c | sort -rn | head -3`
	benchRuns(b, "10,000-line grep/sort/uniq pipeline", 5, "run", "--rm", TestImage, "sh", "-c", script)
}

// benchRuns runs the docker CLI with args n times on each engine, checks
// every run exits 0 and prints the same output on every engine, and
// reports the medians side by side.
func benchRuns(b *testing.B, label string, n int, args ...string) {
	if !rootfs.HasBusybox {
		b.Skipf("test image has no binaries: %s", rootfs.Why)
	}
	medians := map[string]time.Duration{}
	outputs := map[string]string{}
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
				for range n {
					start := time.Now()
					r := sl.e.Docker(args...)
					if r.Code != 0 {
						b.Fatalf("docker %v: exit %d: %s", args, r.Code, r.Stderr)
					}
					times = append(times, time.Since(start))
					outputs[sl.name] = r.Stdout
				}
			}
			m := harness.Median(times)
			medians[sl.name] = m
			b.ReportMetric(float64(m.Microseconds())/1000, "ms/run-median")
		})
	}
	for _, name := range []string{"sockerless", "native"} {
		if s, ok := outputs[name]; ok {
			if d, ok := outputs["dockerd"]; ok && s != d {
				b.Errorf("%s: outputs differ:\n%s: %q\ndockerd: %q", label, name, s, d)
			}
		}
	}
	fmt.Println(sideBySide(label, medians))
}

func sideBySide(label string, m map[string]time.Duration) string {
	ms := func(name string) string {
		d, ok := m[name]
		if !ok {
			return "n/a"
		}
		return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
	}
	ratio := func(name string) string {
		s, ok := m[name]
		d, okd := m["dockerd"]
		if !ok || !okd || d <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f", float64(s)/float64(d))
	}
	line := fmt.Sprintf("%s: sockerless %s ms, dockerd %s ms, ratio %s", label, ms("sockerless"), ms("dockerd"), ratio("sockerless"))
	if _, ok := m["native"]; ok {
		// The native runtime, timed in the same run.
		line += fmt.Sprintf("; native %s ms, ratio to dockerd %s", ms("native"), ratio("native"))
	}
	return line
}
