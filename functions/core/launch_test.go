package core_test

import (
	"net/http"
	"net/url"
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
	started := startHeld(t, h, id)
	if insp := h.inspect(t, id); insp.State == nil || !insp.State.Running {
		t.Fatalf("inspect while launching: %+v", insp.State)
	}
	close(h.starts.hold)
	if rep := <-started; rep.Status != http.StatusNoContent {
		t.Fatalf("start: %d %s", rep.Status, rep.Body)
	}
	h.do(t, req{op: call.OpContainerKill, vars: map[string]string{"name": id}})
}

// A stop that reaches the driver while another instance's start is
// still launching the workload finds nothing to stop; whichever of the
// two writes last, the workload that launch starts must end.
func TestStopDuringLaunch(t *testing.T) {
	cases := []struct {
		name  string
		stop  req
		state container.ContainerState // "" for removed
	}{
		{"kill through the driver", req{op: call.OpContainerKill, query: url.Values{call.QueryForceDriver: {"1"}}}, container.StateExited},
		{"rm -f", req{op: call.OpContainerRemove, query: url.Values{"force": {"1"}}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.importImage(t, "app:v1")
			id := h.create(t, "launching", "app:v1", func(cr *container.CreateRequest) { cr.Config.Cmd = []string{"sh", "-c", "sleep 60"} })
			started := startHeld(t, h, id)
			// Another instance serves the stop meanwhile.
			other := h.instance(h.cfg.Store)
			tc.stop.vars = map[string]string{"name": id}
			if rep := other.do(t, tc.stop); rep.Status != http.StatusNoContent {
				t.Fatalf("%s during the launch: %d %s", tc.name, rep.Status, rep.Body)
			}
			close(h.starts.hold)
			// The start succeeds, or, if the removal took what its launch
			// needed, finds the container gone.
			if rep := <-started; rep.Status != http.StatusNoContent && (tc.state != "" || rep.Status != http.StatusNotFound) {
				t.Fatalf("start: %d %s", rep.Status, rep.Body)
			}
			st, err := h.starts.Driver.Status(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Running {
				t.Errorf("after %s during its launch the workload runs on", tc.name)
			}
			rep := h.do(t, req{op: call.OpContainerInspect, vars: map[string]string{"name": id}})
			switch {
			case tc.state == "" && rep.Status != http.StatusNotFound:
				t.Errorf("inspect after %s: %d %s, want 404", tc.name, rep.Status, rep.Body)
			case tc.state != "" && h.inspect(t, id).State.Status != tc.state:
				t.Errorf("after %s: %+v, want %s", tc.name, h.inspect(t, id).State, tc.state)
			}
		})
	}
}

// startHeld starts id in the background with the driver holding the
// launch (h.starts.hold, closed by the caller), and returns once the
// launch is under way; the start's reply comes on the channel.
func startHeld(t *testing.T, h *harness, id string) <-chan call.Reply {
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
			return started
		}
		runtime.Gosched()
	}
}

// A start whose launch is overtaken (a stop through the driver records
// its exit, a later start runs and is stopped too, all while it still
// launches) finds a later start in the record when its launch returns:
// the container is stopped, so what it launched must end, as on a cloud
// where each start's task is its own (an rm -f that listed the tasks
// before this one ran would leave it running after the removal).
func TestOvertakenLaunch(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "overtaken", "app:v1", func(cr *container.CreateRequest) { cr.Config.Cmd = []string{"sh", "-c", "sleep 60"} })
	started := startHeld(t, h, id)
	h.starts.mu.Lock()
	hold := h.starts.hold
	h.starts.hold = nil // the later start launches at once
	h.starts.mu.Unlock()
	other := h.instance(h.cfg.Store)
	kill := req{op: call.OpContainerKill, vars: map[string]string{"name": id}, query: url.Values{call.QueryForceDriver: {"1"}}}
	for _, r := range []req{kill, {op: call.OpContainerStart, vars: map[string]string{"name": id}}, kill} {
		if rep := other.do(t, r); rep.Status != http.StatusNoContent {
			t.Fatalf("%s during the first launch: %d %s", r.op, rep.Status, rep.Body)
		}
	}
	close(hold)
	if rep := <-started; rep.Status != http.StatusNoContent {
		t.Fatalf("overtaken start: %d %s", rep.Status, rep.Body)
	}
	st, err := h.starts.Driver.Status(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running {
		t.Errorf("the overtaken launch's workload runs on in a stopped container")
	}
	if got := h.inspect(t, id).State.Status; got != container.StateExited {
		t.Errorf("after the overtaken launch: %s, want exited", got)
	}
}
