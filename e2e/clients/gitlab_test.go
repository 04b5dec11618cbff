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

// runPipeline writes files into a fresh git repository and runs
// gitlab-ci-local on it against e with the helper image, then removes
// the containers, volumes and networks the run left.
func runPipeline(t testing.TB, g GitlabCILocal, e *harness.Engine, files map[string]string) *GitlabRun {
	t.Helper()
	if err := ImportHelperImage(e); err != nil {
		t.Fatal(err)
	}
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
	defer removeLeftovers(t, e, before)
	ctx, cancel := context.WithTimeout(context.Background(), gitlabTimeout)
	defer cancel()
	r := g.Run(ctx, e.Host, repo, HelperImage, home)
	if len(r.Status) == 0 {
		t.Fatalf("gitlab-ci-local ran no job (exit %d):\n%s", r.Code, indent(tail(strings.Split(r.Output, "\n"), 40)))
	}
	return r
}

// engineObjects lists e's containers, volumes and networks by kind.
func engineObjects(e *harness.Engine) map[string][]string {
	return map[string][]string{
		"container": strings.Fields(e.Docker("ps", "-aq", "--no-trunc").Stdout),
		"volume":    strings.Fields(e.Docker("volume", "ls", "-q").Stdout),
		"network":   strings.Fields(e.Docker("network", "ls", "-q", "--no-trunc").Stdout),
	}
}

// removeLeftovers removes what appeared on e since before, and fails t
// for it: gitlab-ci-local removes what it creates.
func removeLeftovers(t testing.TB, e *harness.Engine, before map[string][]string) {
	after := engineObjects(e)
	for _, kind := range []string{"container", "volume", "network"} {
		for _, id := range after[kind] {
			if slices.Contains(before[kind], id) {
				continue
			}
			if kind == "container" {
				st := e.Docker("inspect", "--format", "{{.Name}} {{.Config.Cmd}}: {{.State.Status}}, exit {{.State.ExitCode}}", id)
				t.Errorf("gitlab-ci-local left container %s", strings.TrimSpace(st.Stdout))
				e.Docker("rm", "-f", "-v", id)
				continue
			}
			t.Errorf("gitlab-ci-local left %s %s", kind, id)
			e.Docker(kind, "rm", "-f", id)
		}
	}
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
