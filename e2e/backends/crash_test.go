package backends

import (
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// testCrash kills the control-plane function's process and the edge
// while `docker run` is attached to a container, restarts the edge, and
// checks that the container's exit, logs and listing come out right and
// that removing it leaves no task or function behind.
func testCrash(t *testing.T, d cloud.Deployment, edgeBin, backend, img string) {
	dir, agentAddr := t.TempDir(), awssimtest.FreeAddr(t)
	e := d.StartEdge(t, edgeBin, backend, dir, agentAddr)
	run(t, e, step{args: []string{"pull", "@img@"}}, img)
	attached := make(chan harness.Result, 1)
	go func() {
		attached <- e.DockerWith(harness.RunOpts{Timeout: 2 * time.Minute}, "run", "--name", "crash", "--entrypoint", "sh", img,
			"-c", "echo before; sleep 3; echo after; exit 5")
	}()
	run(t, e, step{args: []string{"ps", "--filter", "name=crash", "--format", "{{.State}}"}, out: str("running"), until: time.Minute}, img)

	killed := d.KillBackend(t, backend)
	e.Kill()
	if killed == 0 {
		t.Errorf("no process of %s's control-plane function was found to kill", backend)
	}
	r := <-attached
	t.Logf("the attached docker run ended with %d when the edge died: %s", r.Code, strings.TrimSpace(r.Stderr))
	_ = e.Stop()

	e = d.StartEdge(t, edgeBin, backend, dir, agentAddr)
	run(t, e, step{args: []string{"wait", "crash"}, out: str("5")}, img)
	run(t, e, step{args: []string{"ps", "-a", "--filter", "name=crash", "--format", "{{.Names}} {{.State}} {{.Status}}"}, has: []string{"crash exited Exited (5)"}}, img)
	run(t, e, step{args: []string{"logs", "crash"}, has: []string{"before", "after"}, until: 30 * time.Second}, img)
	run(t, e, step{args: []string{"rm", "crash"}, out: str("crash")}, img)
	if left := d.LeftRunning(t, backend); len(left) > 0 {
		t.Errorf("left behind after docker rm: %v", left)
	}
}
