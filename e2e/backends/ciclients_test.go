package backends

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/clients"
	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/clouds"
	"github.com/sockerless/sockerless/e2e/harness"
)

// ciClientTimeout bounds one run of a CI client's job on a backend.
const ciClientTimeout = 10 * time.Minute

// ciServicePort is the port the gitlab-ci-local pipeline's service
// listens on.
const ciServicePort = 39518

// actCloudFlags are act's flags on a cloud backend: the client's socket
// cannot be bind-mounted into a task or a function (act's default), so
// the job gets none, as `--container-daemon-socket -` says.
var actCloudFlags = []string{"--container-daemon-socket", "-"}

// ciNotApplicable is, per tool and backend, why the tool's job cannot
// run there by design, and what the user sees.
var ciNotApplicable = map[[2]string]struct{ why, says string }{
	{"act", "lambda"}: {"a Lambda function mounts one EFS file system under /mnt; act mounts three volumes, at /var/run/act, /opt/hostedtoolcache and the workspace",
		"a Lambda function mounts one EFS file system"},
	{"gitlab-ci-local", "lambda"}: {"gitlab-ci-local mounts two volumes in each job container; a Lambda function mounts one EFS file system under /mnt",
		"a Lambda function mounts one EFS file system"},
}

// ciServiceLeftOut is, per backend, why gitlab-ci-local's pipeline runs
// there without its service job (a service reached by its alias).
var ciServiceLeftOut = map[string]string{
	"ecs": "the ecs backend gives its tasks no names for each other (a service alias needs service discovery, Cloud Map, which it does not set up): the job sees \"lookup pingsvc: no such host\"",
}

// ciImages are the CI clients' images in the cloud's registry: the job
// image (the local targets' TestImage) and gitlab-ci-local's helper.
type ciImages struct{ job, helper string }

// pushCIImages pushes the clients' images to d's registry: the cloud
// backends cannot import an image.
func pushCIImages(t testing.TB, d cloud.Deployment) ciImages {
	t.Helper()
	job, err := clients.TestOCIImage()
	if err != nil {
		t.Fatal(err)
	}
	helper, err := clients.HelperOCIImage()
	if err != nil {
		t.Skip(err)
	}
	return ciImages{job: d.PushImage(t, "e2e/ci-job", job), helper: d.PushImage(t, "e2e/gcl-util", helper)}
}

// TestCIClients runs the client suite's CI jobs (e2e/clients: act's CI
// workflow, gitlab-ci-local's pipeline) on every backend of every cloud
// on its simulator, and prints per tool and backend "act ecs: N passed,
// M failed" as the client suite does per runtime.
func TestCIClients(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the clouds' simulators: not in -short")
	}
	for _, c := range clouds.All {
		t.Run(c.Name(), func(t *testing.T) {
			d, _, edge := cloud.Start(t, c)
			imgs := pushCIImages(t, d)
			for _, backend := range c.Backends() {
				t.Run(backend, func(t *testing.T) {
					e := d.StartEdge(t, edge, backend, t.TempDir(), "")
					t.Run("cp before start", func(t *testing.T) { testCopyBeforeStart(t, e, backend, imgs.job) })
					t.Run("cp after exit", func(t *testing.T) { testCopyAfterExit(t, e, backend, imgs.job) })
					t.Run("act", func(t *testing.T) { testActCI(t, e, backend, imgs.job) })
					t.Run("gitlab-ci-local", func(t *testing.T) { testGitlabCI(t, e, backend, imgs) })
				})
			}
		})
	}
}

// notApplicable skips t when tool cannot run on backend by design,
// after checking the run failed with what the user is told; it fails t
// if the run passed or failed otherwise.
func notApplicable(t *testing.T, tool, backend string, ok bool, out string) {
	t.Helper()
	na, listed := ciNotApplicable[[2]string{tool, backend}]
	if !listed {
		return
	}
	if ok || !strings.Contains(out, na.says) {
		t.Fatalf("%s on %s was expected to fail with %q (%s); it did not:\n%s", tool, backend, na.says, na.why, out)
	}
	fmt.Printf("%s %s: not applicable: %s (%q)\n", tool, backend, na.why, na.says)
	t.Skip(na.why)
}

// testActCI runs the client suite's CI workflow with act on e.
func testActCI(t *testing.T, e *harness.Engine, backend, img string) {
	bin, err := clients.FindAct()
	if err != nil {
		t.Skip(err)
	}
	r, w := runActCI(t, bin, e, img)
	passed, failed, problems := r.Check(w.Steps)
	notApplicable(t, "act", backend, failed == 0 && r.Code == 0, strings.Join(append(problems, r.Other...), "\n"))
	if len(r.Steps) == 0 {
		t.Fatalf("act ran no step (exit %d):\n%s", r.Code, strings.Join(tailLines(r.Other, 30), "\n"))
	}
	fmt.Printf("act %s: %d passed, %d failed\n", backend, passed, failed)
	t.Logf("act on %s: %d steps passed, %d failed, in %s", backend, passed, failed, r.Wall.Round(time.Millisecond))
	for _, p := range problems {
		t.Error(p)
	}
	if r.Code != 0 {
		t.Errorf("act exited %d:\n%s", r.Code, strings.Join(tailLines(r.Other, 20), "\n"))
	}
}

// runActCI runs the CI workflow with act on e, its jobs on img, and
// removes what a failed run left.
func runActCI(t testing.TB, bin string, e *harness.Engine, img string) (*clients.ActRun, clients.Workflow) {
	t.Helper()
	if r := e.Docker("pull", img); r.Code != 0 {
		t.Fatalf("docker pull %s: %s", img, r.Stderr)
	}
	w := clients.CIWorkflow(img)
	repo, home := t.TempDir(), t.TempDir()
	if err := clients.WriteRepo(repo, w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clients.ShowActLeftovers(t, e) })
	ctx, cancel := context.WithTimeout(t.Context(), ciClientTimeout)
	defer cancel()
	return clients.RunAct(ctx, bin, e.Host, repo, img, home, actCloudFlags...), w
}

// testGitlabCI runs the client suite's pipeline with gitlab-ci-local on e.
func testGitlabCI(t *testing.T, e *harness.Engine, backend string, imgs ciImages) {
	g, err := clients.FindGitlabCILocal()
	if err != nil {
		t.Skip(err)
	}
	r, jobs := runGitlabCI(t, g, e, backend, imgs)
	passed, failed, problems := r.Check(jobs)
	notApplicable(t, "gitlab-ci-local", backend, failed == 0 && r.Code == 0, r.Output)
	r.FailLeftovers(t)
	r.RanNoJob(t)
	fmt.Printf("gitlab-ci-local %s: %d passed, %d failed\n", backend, passed, failed)
	if why := ciServiceLeftOut[backend]; why != "" {
		fmt.Printf("gitlab-ci-local %s: the service job was not run: %s\n", backend, why)
	}
	t.Logf("gitlab-ci-local on %s: %d jobs passed, %d failed, in %s", backend, passed, failed, r.Wall.Round(time.Millisecond))
	for _, p := range problems {
		t.Error(p)
	}
	if r.Code != 0 {
		t.Errorf("gitlab-ci-local exited %d:\n%s", r.Code, strings.Join(tailLines(strings.Split(r.Output, "\n"), 30), "\n"))
	}
}

// runGitlabCI runs the pipeline with gitlab-ci-local on e, its jobs on
// imgs.job and its helper containers on imgs.helper, without the service
// job where backend cannot run it (ciServiceLeftOut).
func runGitlabCI(t testing.TB, g clients.GitlabCILocal, e *harness.Engine, backend string, imgs ciImages) (*clients.GitlabRun, []clients.GitlabJob) {
	t.Helper()
	for _, img := range []string{imgs.job, imgs.helper} {
		if r := e.Docker("pull", img); r.Code != 0 {
			t.Fatalf("docker pull %s: %s", img, r.Stderr)
		}
	}
	files, jobs := clients.GitlabPipeline(imgs.job, ciServicePort)
	if ciServiceLeftOut[backend] != "" {
		files, jobs = clients.GitlabPipelineWithoutService(imgs.job)
	}
	return clients.RunPipeline(t, g, e, files, imgs.helper), jobs
}

func tailLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

// testCopyBeforeStart copies into a created container, as CI runners do
// before starting it: into its volume on every backend, and into its
// root where the backend stages it (ecs); lambda, whose root is
// read-only, refuses that saying why.
func testCopyBeforeStart(t *testing.T, e *harness.Engine, backend, img string) {
	dir := t.TempDir()
	for name, content := range map[string]string{"script": "echo staged ran", "data": "in the volume"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	vol := "/mnt/cpvol" // where Lambda can mount it
	ctr := "cp-before-start"
	t.Cleanup(func() {
		e.Docker("rm", "-f", ctr)
		e.Docker("volume", "rm", "-f", "cpvol")
	})
	if r := e.Docker("create", "--name", ctr, "-v", "cpvol:"+vol, img, "sh", "-c", "cat "+vol+"/data; test ! -e /gcl-cmd || sh /gcl-cmd"); r.Code != 0 {
		t.Fatalf("docker create: %s", r.Stderr)
	}
	if r := e.Docker("cp", filepath.Join(dir, "data"), ctr+":"+vol+"/data"); r.Code != 0 {
		t.Fatalf("docker cp into the volume: %s", r.Stderr)
	}
	want := "in the volume\nstaged ran"
	r := e.Docker("cp", filepath.Join(dir, "script"), ctr+":/gcl-cmd")
	switch {
	case backend == "lambda":
		if r.Code == 0 || !strings.Contains(r.Stderr, "reaches a stopped container's files only in its named volumes") {
			t.Fatalf("docker cp into a Lambda container's root: exit %d, %s; want it refused, saying why", r.Code, r.Stderr)
		}
		want = "in the volume"
	case r.Code != 0:
		t.Fatalf("docker cp into the root: %s", r.Stderr)
	}
	if r := e.DockerWith(harness.RunOpts{Timeout: 2 * time.Minute}, "start", "-a", ctr); r.Code != 0 || strings.TrimSpace(r.Stdout) != want {
		t.Fatalf("docker start -a: exit %d, stdout %q (want %q), stderr %s", r.Code, r.Stdout, want, r.Stderr)
	}
}

// testCopyAfterExit copies out of a container whose main process has
// exited, as CI runners collect artifacts: on ecs the task lingers for
// it (its exit is recorded at once), and docker rm stops the task;
// lambda, whose function keeps no filesystem, refuses saying why.
func testCopyAfterExit(t *testing.T, e *harness.Engine, backend, img string) {
	ctr := "cp-after-exit"
	out := "/out"
	if backend == "lambda" {
		out = "/tmp/out" // a Lambda function's root is read-only
	}
	t.Cleanup(func() { e.Docker("rm", "-f", ctr) })
	if r := e.DockerWith(harness.RunOpts{Timeout: 2 * time.Minute}, "run", "--name", ctr, img, "sh", "-c", "mkdir -p "+out+" && echo built > "+out+"/artifact; exit 3"); r.Code != 3 {
		t.Fatalf("docker run: exit %d (want 3), %s", r.Code, r.Stderr)
	}
	if r := e.Docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", ctr); strings.TrimSpace(r.Stdout) != "exited 3" {
		t.Errorf("inspect after the exit: %q, want \"exited 3\" (%s)", r.Stdout, r.Stderr)
	}
	dest := t.TempDir()
	r := e.Docker("cp", ctr+":"+out, dest)
	if backend == "lambda" {
		if r.Code == 0 || !strings.Contains(r.Stderr, "reaches a stopped container's files only in its named volumes") {
			t.Fatalf("docker cp out of a stopped Lambda container: exit %d, %s; want it refused, saying why", r.Code, r.Stderr)
		}
		return
	}
	if r.Code != 0 {
		t.Fatalf("docker cp out of the stopped container: %s", r.Stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "out", "artifact")); err != nil || string(b) != "built\n" {
		t.Errorf("copied artifact: %q, %v; want %q", b, err, "built\n")
	}
	if r := e.Docker("cp", ctr+":/no-such-file", dest); r.Code == 0 || !strings.Contains(r.Stderr, "Could not find the file /no-such-file") {
		t.Errorf("docker cp of a missing path: exit %d, %s; want dockerd's not-found", r.Code, r.Stderr)
	}
	if r := e.Docker("rm", ctr); r.Code != 0 {
		t.Fatalf("docker rm: %s", r.Stderr)
	}
}
