package e2e

import (
	"fmt"
	"strings"

	"github.com/sockerless/sockerless/e2e/harness"
)

// awsNA is a scenario that cannot pass on some AWS backends: why, and
// what the user sees at the failing step: Docker's error in its stderr
// or, for a wrong answer given without an error, a telling part of its
// stdout. A Why starting with "bug:" is a defect in sockerless, listed
// so the suite stays green until it is fixed, not a limit of the backend.
type awsNA struct {
	Scenario string
	Backends []string
	Why      string
	Error    string // in the failing step's stderr (placeholders expanded)
	Stdout   string // or, when Error is empty, in its stdout
}

var both = []string{"ecs", "lambda"}

// awsNotApplicable is every scenario of the local-mode suite that cannot
// pass on the ECS or the Lambda backend.
var awsNotApplicable = []awsNA{
	{Scenario: "image_prune_dangling", Backends: both,
		Why:   "docker import: the backends have no image store, images live in a registry (ECR)",
		Error: "docker import is not supported by the"},
	{Scenario: "import_and_run", Backends: both,
		Why:   "docker import: the backends have no image store, images live in a registry (ECR)",
		Error: "docker import is not supported by the"},
	{Scenario: "save_load_round_trip", Backends: both,
		Why:   "docker save and load: the backends have no image store, images live in a registry (ECR)",
		Error: "docker save is not supported by the"},
	{Scenario: "run_named_volume", Backends: both,
		Why:   "volumes: no volume storage for tasks or functions yet (ECS would need EFS)",
		Error: "volumes and bind mounts are not supported by the"},
	{Scenario: "volume_in_use", Backends: both,
		Why:   "volumes: a container cannot mount one, so none is ever in use",
		Error: "volumes and bind mounts are not supported by the"},
	{Scenario: "run_bind_mount", Backends: both,
		Why:   "bind mounts: the client's host directories are not reachable from the cloud",
		Error: "volumes and bind mounts are not supported by the"},
	{Scenario: "diff_export_commit", Backends: both,
		Why:   "docker diff, export and commit: the containers' filesystems are not reachable from the control plane",
		Error: "docker diff is not supported by the"},
	{Scenario: "commit_replaced_dir", Backends: both,
		Why:   "docker commit: the containers' filesystems are not reachable from the control plane",
		Error: "docker commit is not supported by the"},
	{Scenario: "cp_compressed_archive_stopped", Backends: both,
		Why:   "docker cp into a created container: its filesystem is not reachable from the control plane until it runs",
		Error: "must be a directory"},
}

// awsAdjust replaces the checks of one step on the AWS backends, where
// the backend's answer legitimately differs from a local engine's. Args
// is how the step's command starts, so the row cannot drift onto
// another step.
type awsAdjust struct {
	Scenario string
	Step     int // 1-based
	Args     string
	Why      string
	Checks   []Check
}

var awsAdjusted = []awsAdjust{
	{Scenario: "pull_progress", Step: 2, Args: "pull @regimg@",
		Why:    "the function resolves the image in its registry and downloads no layer, so there is no per-layer \"Pull complete\"",
		Checks: []Check{OutContains("Pulling from e2e/busybox", "Digest: sha256:", "Status: Downloaded newer image for @regimg@")}},
	{Scenario: "logs_options", Step: 3, Args: "logs @name@",
		Why:    "logs come from CloudWatch, where stdout and stderr are one stream",
		Checks: []Check{OutMerged("one\ntwo\nthree\n", "err\n")}},
	{Scenario: "logs_options", Step: 6, Args: "logs --since 2000-01-01T00:00:00Z @name@",
		Why:    "logs come from CloudWatch, where stdout and stderr are one stream",
		Checks: []Check{OutMerged("one\ntwo\nthree\n", "err\n")}},
}

// OutMerged: stdout holds the lines of stdout and of stderr, each
// stream's in its order, and nothing else: the two streams merged.
func OutMerged(stdout, stderr string) Check {
	return Check{fmt.Sprintf("stdout is %q merged with %q", stdout, stderr), func(_ *Session, r harness.Result) error {
		want := map[string][]string{"out": nonEmptyLines(stdout), "err": nonEmptyLines(stderr)}
		for _, l := range nonEmptyLines(r.Stdout) {
			switch {
			case len(want["out"]) > 0 && l == want["out"][0]:
				want["out"] = want["out"][1:]
			case len(want["err"]) > 0 && l == want["err"][0]:
				want["err"] = want["err"][1:]
			default:
				return fmt.Errorf("unexpected line %q in %q", l, r.Stdout)
			}
		}
		if len(want["out"])+len(want["err"]) > 0 {
			return fmt.Errorf("missing %q in %q", append(want["out"], want["err"]...), r.Stdout)
		}
		return nil
	}}
}

// adjusted returns sc with the steps awsAdjusted replaces, and the
// reasons, or an error when a row does not fit the scenario's steps.
func adjusted(sc Scenario) (Scenario, []string, error) {
	var why []string
	steps := append([]Step(nil), sc.Steps...)
	for _, a := range awsAdjusted {
		if a.Scenario != sc.Name {
			continue
		}
		if a.Step < 1 || a.Step > len(steps) || !strings.HasPrefix(strings.Join(steps[a.Step-1].Args, " "), a.Args) {
			return sc, nil, fmt.Errorf("awsAdjusted: %s step %d is not `docker %s`", sc.Name, a.Step, a.Args)
		}
		steps[a.Step-1].Checks = a.Checks
		why = append(why, fmt.Sprintf("step %d: %s", a.Step, a.Why))
	}
	sc.Steps = steps
	return sc, why, nil
}
