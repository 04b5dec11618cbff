package clients

import (
	"archive/tar"
	"bytes"
	"context"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// actTimeout bounds one act run of the workflow (about 10 s on dockerd).
const actTimeout = 5 * time.Minute

// TestAct runs the CI workflow, then the features workflow (a service,
// a matrix, a Dockerfile action), with act on each target: every step
// must end as the workflow says, and every job must succeed.
func TestAct(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			bin := act(t)
			t.Cleanup(func() { ShowActLeftovers(t, e) })
			buildImage(t, e, ServiceImage, ServiceImageFiles(TestImage))
			passed, failed := 0, 0
			for _, w := range []Workflow{CIWorkflow(TestImage), FeaturesWorkflow(TestImage, freePort(t))} {
				r := runWorkflow(t, bin, e.Host, w)
				p, f, problems := r.Check(w.Steps)
				passed, failed = passed+p, failed+f
				t.Logf("act on %s: %d steps passed, %d failed, in %s", tg.name, p, f, r.Wall.Round(time.Millisecond))
				for _, p := range problems {
					t.Error(p)
				}
				for _, s := range w.Steps {
					if s.Name == "Set up job" && r.Jobs[s.Job] != Success {
						t.Errorf("job %s: want success, got %q", s.Job, r.Jobs[s.Job])
					}
				}
				if r.Code != 0 {
					t.Errorf("act exited %d:\n%s", r.Code, indent(tail(r.Other, 20)))
				}
				if _, ok := w.Files[".github/workflows/features.yml"]; ok {
					checkMatrixCells(t, r)
				}
			}
			report("act %s: %d passed, %d failed", tg.name, passed, failed)
		})
	}
}

// checkMatrixCells fails t unless each of MatrixCells ran exactly once.
func checkMatrixCells(t *testing.T, r *ActRun) {
	t.Helper()
	seen := map[string]int{}
	for k, s := range r.Steps {
		if !strings.HasPrefix(k[0], "features/matrix-") || k[1] != "cell" {
			continue
		}
		for _, l := range s.Lines {
			if _, rest, ok := strings.Cut(l, "matrix cell "); ok {
				cell, _, _ := strings.Cut(rest, " ")
				seen[cell]++
			}
		}
	}
	for _, c := range MatrixCells {
		if seen[c] != 1 {
			t.Errorf("matrix cell %s ran %d times, want once (cells seen: %v)", c, seen[c], seen)
		}
	}
}

// freePort returns a loopback TCP port free now: the sandbox's and engine
// runtime's services listen on the host's network, shared with whatever
// else runs on this machine.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// buildImage builds tag on e from files (path → content; names ending in
// .sh are executable) through the engine's build API, as `docker build -`
// with a tar context on stdin sends it.
func buildImage(t testing.TB, e *harness.Engine, tag string, files map[string]string) {
	t.Helper()
	var ctx bytes.Buffer
	tw := tar.NewWriter(&ctx)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		mode := int64(0o644)
		if strings.HasSuffix(n, ".sh") || strings.HasPrefix(files[n], "#!") {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n]))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if r := e.DockerWith(harness.RunOpts{Stdin: &ctx}, "build", "-q", "-t", tag, "-"); r.Code != 0 {
		t.Fatalf("docker build -t %s: exit %d\n%s%s", tag, r.Code, r.Stdout, r.Stderr)
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
	log := `{"job":"ci/build  ","jobID":"build","step":"Set up job","msg":"  ✅  Success - Set up job","stepResult":"success"}
{"job":"ci/build  ","jobID":"build","step":"checkout","msg":"⭐ Run Main checkout"}
{"job":"ci/build  ","jobID":"build","step":"checkout","msg":"failed to create exec: container is not running"}
{"job":"ci/build  ","jobID":"build","step":"checkout","msg":"  ❌  Failure - Main checkout","stepResult":"failure"}
{"job":"ci/build  ","jobID":"build","jobResult":"failure","msg":"🏁  Job failed"}
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
	if r.Jobs["ci/build"] != Failure {
		t.Errorf("job result = %q, want failure", r.Jobs["build"])
	}
	if len(r.Other) != 1 || !strings.Contains(r.Other[0], "Job 'build' failed") {
		t.Errorf("other lines = %q", r.Other)
	}
}
