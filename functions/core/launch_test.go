package core_test

import (
	"net/http"
	"runtime"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/functions/call"
)

// While a start call is still launching the workload (a cloud takes
// seconds to RunTask), the driver knows nothing of it; a concurrent
// inspect must not record the container as gone.
func TestInspectDuringLaunch(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "launching", "app:v1", func(cr *container.CreateRequest) { cr.Config.Cmd = []string{"sh", "-c", "sleep 5"} })
	h.starts.hold = make(chan struct{})
	started := make(chan call.Reply, 1)
	go func() {
		started <- h.h.Handle(t.Context(), call.Call{Op: call.OpContainerStart, Version: h.version, Vars: map[string]string{"name": id}})
	}()
	for {
		h.starts.mu.Lock()
		launching := h.starts.launching
		h.starts.mu.Unlock()
		if launching {
			break
		}
		runtime.Gosched()
	}
	if insp := h.inspect(t, id); insp.State == nil || !insp.State.Running {
		t.Fatalf("inspect while launching: %+v", insp.State)
	}
	close(h.starts.hold)
	if rep := <-started; rep.Status != http.StatusNoContent {
		t.Fatalf("start: %d %s", rep.Status, rep.Body)
	}
	h.do(t, req{op: call.OpContainerKill, vars: map[string]string{"name": id}})
}
