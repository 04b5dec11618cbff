package clients

import (
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// gitlabRunsPerTarget is how many timed gitlab-ci-local runs of the
// pipeline each target gets.
const gitlabRunsPerTarget = 3

// BenchmarkGitlabPipeline times the whole pipeline under gitlab-ci-local
// on each target.
func BenchmarkGitlabPipeline(b *testing.B) {
	timeOnTargets(b, "gitlab-ci-local pipeline median", "s/pipeline-median", gitlabRunsPerTarget, func(b *testing.B, tg *target, e *harness.Engine) func() time.Duration {
		g := gitlabCILocal(b)
		files, jobs := GitlabPipeline(TestImage, gitlabServicePort)
		return func() time.Duration {
			r := runPipeline(b, g, e, files)
			if _, failed, problems := r.Check(jobs); failed > 0 || r.Code != 0 {
				b.Fatalf("gitlab-ci-local on %s: %d jobs failed (exit %d):\n%s", tg.name, failed, r.Code, strings.Join(problems, "\n"))
			}
			return r.Wall
		}
	})
}
