//go:build linux && cgo

package native_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/agent/agentbin"
	"github.com/sockerless/sockerless/functions/backends/local/native"
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

// TestRootlessCrashLeavesNothing kills, as an unprivileged user, a
// process running a rootless container (its holder ends with it, the
// container lives on) and opens the driver again over its directory:
// the container's processes are gone and its layer is at rest.
func TestRootlessCrashLeavesNothing(t *testing.T) {
	busyboxImage(t) // skips without busybox
	agent, ok := rootless(t)
	if !ok {
		return
	}
	if err := native.Supported(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	id, pid, _ := crash(t, dir)
	if _, err := os.Stat("/proc/" + pid); err != nil {
		t.Fatalf("the container's init is gone with its process (%v): the test needs it to outlive it", err)
	}
	d, err := native.New(t.Context(), native.Config{Dir: dir, AgentURL: "ws://127.0.0.1:9/agent/v1/connect", AgentBinary: agent, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Dead, if maybe not reaped yet (its parent is gone).
	if st, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil && !strings.Contains(string(st), ") Z ") {
		t.Errorf("the container's init %s runs after the driver opened again: %s", pid, st)
	}
	if st, err := d.Status(t.Context(), id); err != nil || st.Known || st.Running {
		t.Errorf("status after the crash: %+v, %v; want unknown (core records exit 255)", st, err)
	}
	for _, left := range []string{"merged", "ovl-work"} {
		if _, err := os.Stat(filepath.Join(d.ContainerDir(id), left)); err == nil {
			t.Errorf("%s of the container is left", left)
		}
	}
}
