//go:build linux && cgo

package native_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockerless/sockerless/agent/agentbin"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
	"github.com/sockerless/sockerless/sandbox/nsrun/unprivileged"
)

// agentEnv passes the rerun the agent binary root built (the
// unprivileged user cannot build one: the Go caches are root's).
const agentEnv = "SOCKERLESS_TEST_AGENT"

// rootless reruns t as an unprivileged user (see package unprivileged)
// and returns false then, with the agent binary built for it; in the
// rerun it returns true and the agent's path.
func rootless(t *testing.T) (string, bool) {
	t.Helper()
	if os.Geteuid() == 0 {
		agent, err := agentbin.Install(filepath.Join(unprivileged.Dir(t), "agent"))
		if err != nil {
			t.Fatal(err)
		}
		unprivileged.Rerun(t, agentEnv+"="+agent)
		return "", false
	}
	return os.Getenv(agentEnv), true
}

// TestRootlessCompute runs the compute conformance suite against the
// native runtime as an unprivileged user: containers in user
// namespaces, their overlays mounted there.
func TestRootlessCompute(t *testing.T) {
	image := busyboxImage(t)
	agent, ok := rootless(t)
	if !ok {
		return
	}
	computetest.Run(t, func(t *testing.T, agentURL string) computetest.Target {
		d := newDriverWith(t, agentURL, agent)
		img, err := d.Import(t.Context(), bytes.NewReader(image), []string{"ENV PATH=/bin"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return computetest.Target{Compute: d, Image: core.Workload{ImageID: img.ID}, ExitInStatus: true, HostNetwork: true}
	})
}
