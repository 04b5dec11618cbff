package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// UpstreamCase is one workflow of act's own runner tests
// (pkg/runner/runner_test.go in the act module): its testdata directory,
// the event, and whether act must fail on it, as the upstream table says.
type UpstreamCase struct {
	Dir     string   // under pkg/runner/testdata, or model/… for pkg/model/testdata
	Event   string   // push unless the upstream case says otherwise
	WantErr bool     // upstream expects an error (a job that fails on purpose)
	Args    []string // what the upstream case's Config adds, as act flags
	Exclude string   // why this case does not run here; empty when it runs
}

// Name names the case in test output: its directory, and the event when
// the directory runs for more than one.
func (c UpstreamCase) Name() string {
	if c.Event != "" && c.Event != "push" {
		return c.Dir + "@" + c.Event
	}
	return c.Dir
}

// Reasons a case of act's runner tests cannot run here. Every job
// container runs the busybox test image, which is also tagged as the
// images the workflows name (see UpstreamAliases), so what a case needs
// beyond busybox's applets or beyond this machine excludes it.
const (
	needsNetwork = "needs the network: remote action or reusable workflow from GitHub"
	needsNode    = "needs node (a JavaScript action or node in the image); the busybox test image has none"
	needsImage   = "needs a real server image (postgres, mysql, nginx) or apt-get"
	needsHost    = "runs on the host (-self-hosted), not through the Docker API"
	needsBash    = "checks that its shell is bash itself ($BASH, $SHELL); UpstreamImage's bash is busybox's ash"
)

// UpstreamImage is the image the upstream cases' jobs run: the test image
// with a bash (busybox's ash, which has [[ ]] and pipefail), since most of
// act's testdata asks for `shell: bash`.
const UpstreamImage = "sockerless-e2e/act-upstream:1"

// upstreamBash is UpstreamImage's /bin/bash: ash, without the options
// only bash knows that act passes (--noprofile --norc).
const upstreamBash = `#!/bin/sh
while [ "$#" -gt 0 ]; do
  case "$1" in
    --noprofile|--norc) shift ;;
    *) break ;;
  esac
done
exec /bin/sh "$@"
`

// UpstreamAliases are the images act's testdata names, tagged on every
// target as UpstreamImage so the cases that only need a POSIX shell run.
var UpstreamAliases = []string{"node:16-buster-slim", "node:16-buster", "node:12-buster-slim", "ubuntu:18.04", "node:24-bookworm-slim", "alpine:latest", "ubuntu:latest"}

// UpstreamCases is runner_test.go's TestRunEvent table in its order, then
// the cases its other tests run with their own Config, each runnable by
// the act CLI with the flags that Config maps to.
var UpstreamCases = []UpstreamCase{
	{Dir: "shells/defaults", Exclude: needsBash},
	{Dir: "shells/pwsh", Exclude: "needs pwsh (catthehacker/ubuntu:pwsh-latest)"},
	{Dir: "shells/bash", Exclude: needsBash},
	{Dir: "shells/python", Exclude: "needs python (node:16-buster)"},
	{Dir: "shells/sh"},
	{Dir: "local-action-docker-url"},
	{Dir: "local-action-dockerfile"},
	{Dir: "local-action-via-composite-dockerfile", Exclude: needsNetwork + " (actions/hello-world-docker-action)"},
	{Dir: "local-action-js", Exclude: needsNode},
	{Dir: "uses-composite"},
	{Dir: "uses-composite-with-error", WantErr: true},
	{Dir: "uses-composite-check-for-input-collision", Exclude: needsNode + " (a node16 action with pre and post)"},
	{Dir: "uses-composite-check-for-input-shadowing", Exclude: needsNode + " (a node16 action with pre and post)"},
	{Dir: "uses-nested-composite", Exclude: needsNetwork + " (actions/setup-node)"},
	{Dir: "remote-action-composite-js-pre-with-defaults", Exclude: needsNetwork},
	{Dir: "remote-action-composite-action-ref", Exclude: needsNetwork},
	{Dir: "uses-workflow", Exclude: needsNetwork + " (nektos/act-test-actions reusable workflow)"},
	{Dir: "uses-workflow", Event: "pull_request", Exclude: needsNetwork + " (nektos/act-test-actions reusable workflow)"},
	{Dir: "uses-docker-url", Exclude: needsNode + " (docker://node:16-buster-slim with args -v runs node)"},
	{Dir: "act-composite-env-test"},
	{Dir: "evalmatrix"},
	{Dir: "evalmatrixneeds"},
	{Dir: "evalmatrixneeds2"},
	{Dir: "evalmatrix-merge-map"},
	{Dir: "evalmatrix-merge-array"},
	{Dir: "issue-1195"},
	{Dir: "basic"},
	{Dir: "fail", WantErr: true},
	{Dir: "runs-on"},
	{Dir: "checkout"},
	{Dir: "job-container"},
	{Dir: "job-container-non-root", Exclude: "needs catthehacker/ubuntu:runner-latest (its user runner)"},
	{Dir: "job-container-invalid-credentials", WantErr: true},
	{Dir: "container-hostname"},
	{Dir: "remote-action-docker", Exclude: needsNetwork},
	{Dir: "remote-action-docker-new-cache", Exclude: needsNetwork},
	{Dir: "remote-action-js", Exclude: needsNetwork},
	{Dir: "remote-action-js-node-user", Exclude: needsNetwork},
	{Dir: "matrix"},
	{Dir: "matrix-include-exclude"},
	{Dir: "matrix-exitcode", WantErr: true},
	{Dir: "commands"},
	{Dir: "workdir"},
	{Dir: "defaults-run", Exclude: needsBash},
	{Dir: "composite-fail-with-output"},
	{Dir: "issue-597", Exclude: needsNetwork + " (actions/hello-world-javascript-action)"},
	{Dir: "issue-598", Exclude: needsNetwork + " (actions/hello-world-javascript-action)"},
	{Dir: "if-env-act"},
	// These two fail on dockerd and the sandbox alike: their "ls" put
	// first on $PATH loses to busybox's own applet (and the sandbox's).
	{Dir: "env-and-path"},
	{Dir: "environment-files"},
	{Dir: "GITHUB_STATE", Exclude: needsNetwork + " (nektos/act-test-actions/script)"},
	{Dir: "environment-files-parser-bug"},
	{Dir: "non-existent-action", WantErr: true},
	{Dir: "outputs"},
	{Dir: "networking", Exclude: needsImage},
	{Dir: "steps-context/conclusion"},
	{Dir: "steps-context/outcome"},
	{Dir: "job-status-check", WantErr: true},
	{Dir: "if-expressions", WantErr: true},
	{Dir: "actions-environment-and-context-tests", Exclude: needsNetwork + " (nektos/act-test-actions)"},
	{Dir: "uses-action-with-pre-and-post-step", Exclude: needsNetwork + " (nektos/act-test-actions)"},
	{Dir: "evalenv"},
	{Dir: "docker-action-custom-path"},
	{Dir: "GITHUB_ENV-use-in-env-ctx", Exclude: needsNetwork + " (nektos/act-test-actions/script)"},
	{Dir: "ensure-post-steps", WantErr: true},
	{Dir: "workflow_call_inputs", Event: "workflow_call"},
	{Dir: "workflow_dispatch", Event: "workflow_dispatch"},
	{Dir: "workflow_dispatch_no_inputs_mapping", Event: "workflow_dispatch"},
	{Dir: "workflow_dispatch-scalar", Event: "workflow_dispatch"},
	{Dir: "workflow_dispatch-scalar-composite-action", Event: "workflow_dispatch"},
	{Dir: "uses-workflow-defaults", Event: "workflow_dispatch"},
	{Dir: "job-needs-context-contains-result"},
	{Dir: "model/strategy"},
	{Dir: "model/container-volumes"},
	{Dir: "path-handling", Exclude: needsNetwork + " (nektos/act-test-actions/composite)"},
	{Dir: "do-not-leak-step-env-in-composite"},
	{Dir: "set-env-step-env-override"},
	{Dir: "set-env-new-env-file-per-step"},
	{Dir: "no-panic-on-invalid-composite-action", Exclude: needsNetwork + " (nektos/act-test-actions); offline the job fails for another reason than the one tested"},
	{Dir: "stepsummary", Exclude: needsNetwork + " (actions/github-script)"},
	{Dir: "services", Exclude: needsImage},
	{Dir: "services-empty-image"},
	{Dir: "services-host-network", Exclude: needsImage},
	{Dir: "services-with-container", Exclude: needsImage},
	{Dir: "mysql-service-container-with-health-check", Exclude: needsImage},
	{Dir: "local-remote-action-overrides", Exclude: needsNode + " (both overrides are JavaScript actions)"},
	{Dir: "docker-action-host-env", Exclude: needsHost},
	// runner_test.go's other tests, with what their Config sets.
	{Dir: "secrets", Args: []string{"--env-file", "secrets/.env", "--secret-file", "secrets/.secrets"}},
	{Dir: "input-from-cli", Event: "workflow_dispatch", Args: []string{"--input", "SOME_INPUT=input"}},
	{Dir: "pull-request", Event: "pull_request"},
	{Dir: "matrix-with-user-inclusions", Args: []string{"--matrix", "node:8", "--matrix", "node:8.x", "--matrix", "os:ubuntu-18.04"}},
	{Dir: "mask-values"},
}

// The upstream tests the table leaves out as a whole, and why:
//   - TestRunEventHostEnvironment, TestFetchFailureIsJobFailure and the
//     post-step case of TestPullAndPostStepFailureIsJobFailure run on the
//     host (-self-hosted): no Docker call to test.
//   - TestDryrunEvent makes no Docker call (dry run).
//   - TestDockerActionForcePullForceRebuild and the pull case of
//     TestPullAndPostStepFailureIsJobFailure pull from a registry.
//   - TestRunDifferentArchitecture needs a linux/arm64 image.
//   - the windows-* directories need Windows.

// UpstreamTestdata returns the directory of act's runner testdata in the
// Go module cache (the module is in e2e's go.sum through no import, so
// `go mod download` fetches it: GOWORK=off keeps the workspace out).
func UpstreamTestdata() (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/nektos/act@"+ActVersion)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download github.com/nektos/act@%s: %v", ActVersion, err)
	}
	_, rest, ok := strings.Cut(string(out), `"Dir": "`)
	dir, _, _ := strings.Cut(rest, `"`)
	if !ok || dir == "" {
		return "", fmt.Errorf("go mod download gave no Dir: %s", out)
	}
	return filepath.Join(dir, "pkg"), nil
}

// CopyUpstreamTestdata copies runner/testdata and model/testdata from the
// act module's pkg dir into dst (as dst/runner and dst/model), writable,
// without the JavaScript actions' node_modules (about 115 MB that no
// included case uses: act would copy them into every job container).
func CopyUpstreamTestdata(pkg, dst string) error {
	for _, sub := range []string{"runner", "model"} {
		src := filepath.Join(pkg, sub, "testdata")
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			if d.IsDir() && d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			to := filepath.Join(dst, sub, rel)
			info, err := d.Info()
			if err != nil {
				return err
			}
			switch {
			case d.IsDir():
				return os.MkdirAll(to, 0o755)
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(p)
				if err != nil {
					return err
				}
				return os.Symlink(target, to)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			// The module zip keeps no modes; git gave scripts their x bit.
			mode := info.Mode().Perm() | 0o600
			if bytes.HasPrefix(b, []byte("#!")) {
				mode |= 0o111
			}
			return os.WriteFile(to, b, mode)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// RunUpstream runs c with act against the engine at dockerHost, as
// runner_test.go runs it: the testdata directory as the workdir (copied
// into the job containers, not bound), the case's directory as the
// workflow path without recursion, its event.json when it has one, and
// ubuntu-latest on image.
func RunUpstream(ctx context.Context, bin, dockerHost, testdata, image, home string, c UpstreamCase) *ActRun {
	workdir, dir := c.paths(testdata)
	event := c.Event
	if event == "" {
		event = "push"
	}
	args := []string{event, "--json", "-C", workdir, "-W", filepath.Join(workdir, dir) + "/", "--no-recurse",
		"-P", "ubuntu-latest=" + image, "-P", "self-hosted=-self-hosted",
		"--pull=false", "--action-offline-mode", "--no-cache-server", "--rm"}
	if ev := filepath.Join(workdir, dir, "event.json"); fileExists(ev) {
		args = append(args, "-e", ev)
	}
	args = append(args, c.Args...)
	return runAct(ctx, bin, dockerHost, workdir, home, args...)
}

// workflowNames returns the names act derives container names from for
// c's workflows (each file's top-level name:, else its file name): two
// runs that share one would take each other's job containers.
func workflowNames(testdata string, c UpstreamCase) []string {
	workdir, dir := c.paths(testdata)
	files, _ := os.ReadDir(filepath.Join(workdir, dir))
	var names []string
	for _, f := range files {
		ext := filepath.Ext(f.Name())
		if f.IsDir() || ext != ".yml" && ext != ".yaml" {
			continue
		}
		name := f.Name()
		b, _ := os.ReadFile(filepath.Join(workdir, dir, f.Name()))
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "name:"); ok {
				name = strings.Trim(strings.TrimSpace(v), `"'`)
				break
			}
		}
		names = append(names, name)
	}
	return names
}

// paths returns the workdir act runs c in and c's directory under it.
func (c UpstreamCase) paths(testdata string) (workdir, dir string) {
	if rest, ok := strings.CutPrefix(c.Dir, "model/"); ok {
		return filepath.Join(testdata, "model"), rest
	}
	return filepath.Join(testdata, "runner"), c.Dir
}

// Passed says whether the run ended as the upstream test wants: act
// succeeded, or failed when the case expects an error.
func (r *ActRun) Passed(c UpstreamCase) bool {
	if r.Code < 0 {
		return false
	}
	return (r.Code != 0) == c.WantErr
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// upstreamTimeout bounds one case against a hang: most take seconds,
// but dockerd on a loaded two-core machine takes minutes for some.
const upstreamTimeout = 5 * time.Minute
