package e2e

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sockerless/sockerless/e2e/harness"
)

func init() { adjustments["aws"] = awsAdjusted }

var awsAdjusted = []adjust{
	{Scenario: "pull_progress", Step: 2, Args: "pull @regimg@",
		Why:    "the function resolves the image in its registry and downloads no layer, so there is no per-layer \"Pull complete\"",
		Checks: []Check{OutContains("Pulling from e2e/busybox", "Digest: sha256:", "Status: Downloaded newer image for @regimg@")}},
	{Scenario: "logs_options", Step: 3, Args: "logs @name@",
		Why:    "logs come from CloudWatch, where stdout and stderr are one stream",
		Checks: []Check{OutMerged("one\ntwo\nthree\n", "err\n")}},
	{Scenario: "logs_options", Step: 6, Args: "logs --since 2000-01-01T00:00:00Z @name@",
		Why:    "logs come from CloudWatch, where stdout and stderr are one stream",
		Checks: []Check{OutMerged("one\ntwo\nthree\n", "err\n")}},
	{Scenario: "run_bind_mount", Step: 4, Args: "run --rm -v @dir@:/host:ro", Code: new(0),
		Why:    "a bind is a copy in the task or function; without privileges there is no read-only mount, so root in the container may write a read-only bind's copy, which is not copied back",
		Checks: []Check{NotInDir("ro.txt")}},
}

// NotInDir: the session's host directory (@dir@) has no file name.
func NotInDir(name string) Check {
	return Check{fmt.Sprintf("@dir@ has no %s", name), func(s *Session, _ harness.Result) error {
		if _, err := os.Lstat(filepath.Join(s.Dir, name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is in %s: %v", name, s.Dir, err)
		}
		return nil
	}}
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
