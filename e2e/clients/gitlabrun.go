package clients

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// gitlabTimeout bounds one gitlab-ci-local run of the pipeline.
const gitlabTimeout = 5 * time.Minute

// RunPipeline writes files into a fresh git repository and runs
// gitlab-ci-local on it against e with helper as its helper image (on
// e already), then removes the containers, volumes and networks the run
// left, listed in its Leftovers.
func RunPipeline(t testing.TB, g GitlabCILocal, e *harness.Engine, files map[string]string, helper string) *GitlabRun {
	t.Helper()
	repo, home := t.TempDir(), t.TempDir()
	if err := WriteRepo(repo, Workflow{Files: files}); err != nil {
		t.Fatal(err)
	}
	// gitlab-ci-local derives CI_PROJECT_* from the origin remote; it is
	// never contacted.
	if out, err := exec.Command("git", "-C", repo, "remote", "add", "origin", "https://gitlab.example.com/e2e/demo.git").CombinedOutput(); err != nil {
		t.Fatalf("git remote add: %v: %s", err, out)
	}
	before := engineObjects(e)
	ctx, cancel := context.WithTimeout(context.Background(), gitlabTimeout)
	defer cancel()
	r := g.Run(ctx, e.Host, repo, helper, home)
	r.Leftovers = removeLeftovers(e, before)
	return r
}

// FailLeftovers fails t for each thing the run left: gitlab-ci-local
// removes what it creates.
func (r *GitlabRun) FailLeftovers(t testing.TB) {
	t.Helper()
	for _, l := range r.Leftovers {
		t.Errorf("gitlab-ci-local left %s", l)
	}
}

// RanNoJob fails t when the run ended before any job did, with what
// gitlab-ci-local said.
func (r *GitlabRun) RanNoJob(t testing.TB) {
	t.Helper()
	if len(r.Status) == 0 {
		t.Fatalf("gitlab-ci-local ran no job (exit %d):\n%s", r.Code, indent(tail(strings.Split(r.Output, "\n"), 40)))
	}
}

// engineObjects lists e's containers, volumes and networks by kind.
func engineObjects(e *harness.Engine) map[string][]string {
	return map[string][]string{
		"container": strings.Fields(e.Docker("ps", "-aq", "--no-trunc").Stdout),
		"volume":    strings.Fields(e.Docker("volume", "ls", "-q").Stdout),
		"network":   strings.Fields(e.Docker("network", "ls", "-q", "--no-trunc").Stdout),
	}
}

// removeLeftovers removes what appeared on e since before, and
// describes each.
func removeLeftovers(e *harness.Engine, before map[string][]string) (left []string) {
	after := engineObjects(e)
	for _, kind := range []string{"container", "volume", "network"} {
		for _, id := range after[kind] {
			if slices.Contains(before[kind], id) {
				continue
			}
			if kind == "container" {
				st := e.Docker("inspect", "--format", "{{.Name}} {{.Config.Cmd}}: {{.State.Status}}, exit {{.State.ExitCode}}", id)
				left = append(left, "container "+strings.TrimSpace(st.Stdout))
				e.Docker("rm", "-f", "-v", id)
				continue
			}
			left = append(left, kind+" "+id)
			e.Docker(kind, "rm", "-f", id)
		}
	}
	return left
}
