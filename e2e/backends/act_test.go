package backends

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/clients"
	"github.com/sockerless/sockerless/e2e/harness"
)

// actWorkflow is a job as act runs one: its workspace, env file and
// tool cache are named volumes act makes, and each step is an exec.
const actWorkflow = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello > file.txt && echo "X=1" >> "$GITHUB_ENV"
      - run: cat file.txt && test "$X" = 1
      - id: o
        run: echo "v=42" >> "$GITHUB_OUTPUT"
      - run: test "${{ steps.o.outputs.v }}" = 42
`

// actNotApplicable says why act's job cannot run on a backend, and what
// the user sees.
var actNotApplicable = map[string]struct{ why, says string }{
	"lambda": {"a Lambda function mounts one file system under /mnt; act mounts its volumes at /var/run/act and elsewhere",
		"a Lambda function mounts one EFS file system"},
}

// testAct runs act's job against the backend with its default volumes
// (act's own socket mount left out: --container-daemon-socket -, since a
// bind mount of the client's socket cannot reach the cloud).
func testAct(t *testing.T, e *harness.Engine, backend, img string) {
	bin, err := clients.FindAct()
	if err != nil {
		t.Skip(err)
	}
	if r := e.Docker("pull", img); r.Code != 0 {
		t.Fatalf("docker pull: %s", r.Stderr)
	}
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, ".github", "workflows", "ci.yml"), []byte(actWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "push", "-P", "ubuntu-latest="+img, "--pull=false",
		"--action-offline-mode", "--no-cache-server", "--container-daemon-socket", "-")
	cmd.Dir = repo
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DOCKER_HOST=" + e.Host, "HOME=" + home}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if na, ok := actNotApplicable[backend]; ok {
		if err == nil || !strings.Contains(string(out), na.says) {
			t.Fatalf("act on %s was expected to fail with %q (%s), got %v:\n%s", backend, na.says, na.why, err, out)
		}
		t.Skip(na.why)
	}
	if err != nil || strings.Count(string(out), "✅  Success - Main") != 4 {
		t.Fatalf("act on %s: %v\n%s", backend, err, out)
	}
	t.Logf("act's 4-step job on %s: %s", backend, time.Since(start).Round(100*time.Millisecond))
}
