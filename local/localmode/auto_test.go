package localmode

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/functions/backends/local/native"
)

// chosenKey is the Runtimes status entry that says why auto chose.
const chosenKey = "org.sockerless.runtime.chosen"

// TestRuntimeInInfo starts local mode with each way of naming a runtime
// this machine can run and checks what the instance and `docker info`
// (DefaultRuntime, Runtimes) say runs the containers and why: auto picks
// native where native.Supported allows it, else the sandbox, and says
// why; a named runtime is shown with no reason. runc, the name clients
// give dockerd's default, is listed as standing in for it.
func TestRuntimeInInfo(t *testing.T) {
	autoPicks, autoWhy := RuntimeNative, "auto: running as root"
	if err := native.Supported(); err != nil {
		autoPicks, autoWhy = RuntimeSandbox, "auto: "+err.Error()
	}
	for _, c := range []struct {
		name, runtime, want, why string
	}{
		{"auto picks native where it can run, else the sandbox", RuntimeAuto, autoPicks, autoWhy},
		{"a named sandbox is the sandbox, with no reason", RuntimeSandbox, RuntimeSandbox, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			inst, cli := startWith(t, context.Background(), Options{
				Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: t.TempDir(), Runtime: c.runtime,
			})
			if inst.Runtime != c.want || !strings.HasPrefix(inst.RuntimeWhy, c.why) || (c.why == "") != (inst.RuntimeWhy == "") {
				t.Errorf("instance runtime %q (%q), want %q (%q...)", inst.Runtime, inst.RuntimeWhy, c.want, c.why)
			}
			info, err := cli.Info(context.Background(), client.InfoOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Info.DefaultRuntime != c.want {
				t.Errorf("docker info DefaultRuntime %q, want %q", info.Info.DefaultRuntime, c.want)
			}
			rt, ok := info.Info.Runtimes[c.want]
			runc, hasRunc := info.Info.Runtimes["runc"]
			if !ok || !hasRunc || len(info.Info.Runtimes) != 2 || runc.Path != rt.Path {
				t.Fatalf("docker info Runtimes %v, want %s and runc standing in for it", info.Info.Runtimes, c.want)
			}
			if got := rt.Status[chosenKey]; !strings.HasPrefix(got, c.why) || (c.why == "") != (got == "") {
				t.Errorf("docker info Runtimes[%s] status %q = %q, want %q...", c.want, chosenKey, got, c.why)
			}
		})
	}
}
