package clients

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
)

// TestVersionSubcommands builds every shipped binary but sockerless
// (TestSelfContainedBinary covers it) stamped as make stamps a release,
// and runs `BINARY version` from a directory of its own, with no go
// command on PATH: each prints its name, version, commit and build date.
func TestVersionSubcommands(t *testing.T) {
	gowork, err := exec.Command("go", "env", "GOWORK").Output()
	root := strings.TrimSpace(string(gowork))
	if err != nil || root == "" || root == "off" {
		t.Fatalf("cannot find the workspace root: go env GOWORK gave %q (%v)", root, err)
	}
	const stamp = "github.com/sockerless/sockerless/agent/buildinfo"
	ldflags := "-s -w -X " + stamp + ".version=v0.0.0-test -X " + stamp + ".commit=c0ffee -X " + stamp + ".date=2026-12-07T00:00:00Z"
	home := t.TempDir()
	env := withoutGo(t, harness.CleanEnv())
	for _, c := range []struct{ pkg, program string }{
		{"./edge/cmd/sockerless-edge", "sockerless-edge"},
		{"./simulators/aws/cmd/awssim", "awssim"},
		{"./simulators/gcp/cmd/gcpsim", "gcpsim"},
		{"./functions/backends/ecs/cmd/bootstrap", "sockerless-ecs"},
		{"./functions/backends/lambda/cmd/bootstrap", "sockerless-lambda"},
	} {
		t.Run(c.program, func(t *testing.T) {
			bin := filepath.Join(home, c.program)
			build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, c.pkg)
			build.Dir = filepath.Dir(root)
			build.Env = append(harness.CleanEnv(), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build %s: %v\n%s", c.pkg, err, out)
			}
			version := exec.Command(bin, "version")
			version.Dir, version.Env = home, env
			out, err := version.Output()
			want := c.program + " v0.0.0-test, commit c0ffee, built 2026-12-07T00:00:00Z\n"
			if err != nil || string(out) != want {
				t.Errorf("%s version: %q (%v), want %q", c.program, out, err, want)
			}
		})
	}
}
