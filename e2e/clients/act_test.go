package clients

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// actTimeout bounds one act run of the workflow (about 10 s on dockerd).
const actTimeout = 5 * time.Minute

// TestAct runs the CI workflow with act on each target: every step must
// end as the workflow says, and every job must succeed.
func TestAct(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			bin := act(t)
			w := CIWorkflow(TestImage)
			r := runWorkflow(t, bin, e.Host, w)
			t.Cleanup(func() { showLeftovers(t, e) })
			passed, failed, problems := r.Check(w.Steps)
			report("act %s: %d passed, %d failed", tg.name, passed, failed)
			t.Logf("act on %s: %d steps passed, %d failed, in %s", tg.name, passed, failed, r.Wall.Round(time.Millisecond))
			for _, p := range problems {
				t.Error(p)
			}
			for _, job := range []string{"build", "report"} {
				if r.Jobs[job] != Success {
					t.Errorf("job %s: want success, got %q", job, r.Jobs[job])
				}
			}
			if r.Code != 0 {
				t.Errorf("act exited %d:\n%s", r.Code, indent(tail(r.Other, 20)))
			}
		})
	}
}

// showLeftovers logs the state and output of the job containers a failed
// act run left (why a job container stopped shows there), then removes
// them and their volumes.
func showLeftovers(t testing.TB, e *harness.Engine) {
	ids := strings.Fields(e.Docker("ps", "-aq", "--filter", "name=^act-").Stdout)
	for _, id := range ids {
		if t.Failed() {
			st := e.Docker("inspect", "--format", "{{.Name}}: {{.State.Status}}, exit {{.State.ExitCode}} {{.State.Error}}", id)
			logs := e.Docker("logs", "--tail", "10", id)
			t.Logf("job container %s\n    output: %s%s", strings.TrimSpace(st.Stdout), logs.Stdout, logs.Stderr)
		}
		e.Docker("rm", "-f", "-v", id)
	}
	for _, v := range strings.Fields(e.Docker("volume", "ls", "-q", "--filter", "name=^act-").Stdout) {
		e.Docker("volume", "rm", "-f", v)
	}
}

// act returns the act binary or skips t without it.
func act(t testing.TB) string {
	t.Helper()
	bin, err := FindAct()
	if err != nil {
		t.Skip(err)
	}
	return bin
}

// runWorkflow writes w into a fresh git repository and runs act on it
// against the engine at host.
func runWorkflow(t testing.TB, bin, host string, w Workflow) *ActRun {
	t.Helper()
	repo, home := t.TempDir(), t.TempDir()
	if err := WriteRepo(repo, w); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), actTimeout)
	defer cancel()
	r := RunAct(ctx, bin, host, repo, TestImage, home)
	if len(r.Steps) == 0 {
		t.Fatalf("act ran no step (exit %d):\n%s", r.Code, indent(tail(r.Other, 30)))
	}
	return r
}

// TestActCheckCountsEveryStep proves the check fails a run whose job
// stopped early: the steps it never ran count as failed, and the failing
// step's log is in the message.
func TestActCheckCountsEveryStep(t *testing.T) {
	log := `{"jobID":"build","step":"Set up job","msg":"  ✅  Success - Set up job","stepResult":"success"}
{"jobID":"build","step":"checkout","msg":"⭐ Run Main checkout"}
{"jobID":"build","step":"checkout","msg":"failed to create exec: container is not running"}
{"jobID":"build","step":"checkout","msg":"  ❌  Failure - Main checkout","stepResult":"failure"}
{"jobID":"build","jobResult":"failure","msg":"🏁  Job failed"}
not json: Error: Job 'build' failed
`
	r := parseActLog([]byte(log))
	steps := CIWorkflow(TestImage).Steps
	passed, failed, problems := r.Check(steps)
	if passed+failed != len(steps) {
		t.Errorf("passed %d + failed %d, want the %d steps", passed, failed, len(steps))
	}
	// Set up job passes; the skipped step is skipped as wanted.
	if passed != 2 {
		t.Errorf("passed = %d, want 2", passed)
	}
	if len(problems) == 0 || !strings.Contains(problems[0], "container is not running") {
		t.Errorf("first problem does not show the failing step's log: %q", problems)
	}
	if r.Jobs["build"] != Failure {
		t.Errorf("job result = %q, want failure", r.Jobs["build"])
	}
	if len(r.Other) != 1 || !strings.Contains(r.Other[0], "Job 'build' failed") {
		t.Errorf("other lines = %q", r.Other)
	}
}
