package clients

import (
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// actRunsPerTarget is how many timed act runs of the workflow each target gets.
const actRunsPerTarget = 3

// BenchmarkActJob times the whole CI workflow under act on each target.
func BenchmarkActJob(b *testing.B) {
	timeOnTargets(b, "act job median", "s/job-median", actRunsPerTarget, func(b *testing.B, tg *target, e *harness.Engine) func() time.Duration {
		bin := act(b)
		w := CIWorkflow(TestImage)
		return func() time.Duration {
			r := runWorkflow(b, bin, e.Host, w)
			ShowActLeftovers(b, e)
			if _, failed, problems := r.Check(w.Steps); failed > 0 || r.Code != 0 {
				b.Fatalf("act on %s: %d steps failed (exit %d):\n%s", tg.name, failed, r.Code, strings.Join(problems, "\n"))
			}
			return r.Wall
		}
	})
}
