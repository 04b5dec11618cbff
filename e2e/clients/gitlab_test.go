package clients

import (
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// gitlabServicePort is the port the pipeline's service listens on: on
// runtimes that share the host's network it is a host loopback port, so
// it is one few programs use.
const gitlabServicePort = 39517

// TestGitlabCILocal runs the pipeline with gitlab-ci-local on each
// target: every job must end, and print, as the pipeline says.
func TestGitlabCILocal(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			g := gitlabCILocal(t)
			files, jobs := GitlabPipeline(TestImage, gitlabServicePort)
			r := runPipeline(t, g, e, files)
			passed, failed, problems := r.Check(jobs)
			report("gitlab-ci-local %s: %d passed, %d failed", tg.name, passed, failed)
			t.Logf("gitlab-ci-local on %s: %d jobs passed, %d failed, in %s", tg.name, passed, failed, r.Wall.Round(time.Millisecond))
			for _, p := range problems {
				t.Error(p)
			}
			if r.Code != 0 {
				t.Errorf("gitlab-ci-local exited %d:\n%s", r.Code, indent(tail(strings.Split(r.Output, "\n"), 30)))
			}
		})
	}
}

// gitlabCILocal returns the installed gitlab-ci-local or skips t.
func gitlabCILocal(t testing.TB) GitlabCILocal {
	t.Helper()
	g, err := FindGitlabCILocal()
	if err != nil {
		t.Skip(err)
	}
	return g
}

// runPipeline imports the helper image into e and runs the pipeline of
// files on it (RunPipeline).
func runPipeline(t testing.TB, g GitlabCILocal, e *harness.Engine, files map[string]string) *GitlabRun {
	t.Helper()
	if err := ImportHelperImage(e); err != nil {
		t.Fatal(err)
	}
	r := RunPipeline(t, g, e, files, HelperImage)
	r.FailLeftovers(t)
	r.RanNoJob(t)
	return r
}

// TestGitlabSummaryParsing proves the closing summary is read as
// gitlab-ci-local prints it: a warned job's name, not the word after it,
// and the lines under a job are not jobs.
func TestGitlabSummaryParsing(t *testing.T) {
	out := " PASS  build  \n WARN  lint     pre_script\n  > lint found 1 problem\n WARN  report   after_script\n FAIL  unit   \n  > sha256sum: dist/app.tar.gz.sha256: No such file or directory\npipeline finished in 46 s\n"
	got := parseGitlabSummary(out)
	want := map[string]string{"build": Pass, "lint": Warn, "unit": "FAIL"}
	if len(got) != len(want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
	for job, st := range want {
		if got[job] != st {
			t.Errorf("job %s: %q, want %q (all: %v)", job, got[job], st, got)
		}
	}
}
