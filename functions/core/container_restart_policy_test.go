package core_test

import (
	"net/http"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// Core restarts a container whose exit its restart policy answers (the
// edge asks, once the agent's exit is acknowledged), and counts it in
// RestartCount; a docker stop or kill, on-failure's retry
// count and a clean exit under on-failure leave it stopped.
func TestRestartPolicy(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	for _, tc := range []struct {
		name      string
		policy    container.RestartPolicy
		stopFirst bool  // docker stop before the exit
		exits     []int // the exit codes reported, in turn
		restarts  int   // RestartCount after them
		running   bool
	}{
		{"always restarts after a clean exit", container.RestartPolicy{Name: "always"}, false, []int{0}, 1, true},
		{"always restarts again and again", container.RestartPolicy{Name: "always"}, false, []int{1, 0}, 2, true},
		{"unless-stopped leaves a stopped container stopped", container.RestartPolicy{Name: "unless-stopped"}, true, []int{0}, 0, false},
		{"on-failure restarts after a failure", container.RestartPolicy{Name: "on-failure"}, false, []int{2}, 1, true},
		{"on-failure leaves a clean exit", container.RestartPolicy{Name: "on-failure"}, false, []int{0}, 0, false},
		{"on-failure stops at its retry count", container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 1}, false, []int{1, 1}, 1, false},
		{"no policy never restarts", container.RestartPolicy{}, false, []int{1}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := h.create(t, "", "app:v1", func(cr *container.CreateRequest) {
				cr.HostConfig = &container.HostConfig{RestartPolicy: tc.policy}
			})
			h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)
			if tc.stopFirst {
				h.ok(t, req{op: call.OpContainerStop, vars: name(id)}, http.StatusNoContent, nil)
			}
			for _, code := range tc.exits {
				// The workload ends (its agent never reached the edge
				// here), and its exit is reported as an agent would.
				if err := h.starts.Stop(t.Context(), id); err != nil {
					t.Fatal(err)
				}
				var rec call.ExitRecorded
				h.ok(t, req{op: call.OpContainerExited, vars: map[string]string{"id": id}, body: call.ExitReport{ExitCode: code}}, http.StatusOK, &rec)
				if rec.Restart {
					// The edge asks once the agent has its acknowledgement.
					h.ok(t, req{op: call.OpContainerRestartByPolicy, vars: map[string]string{"id": id}}, http.StatusNoContent, nil)
				}
			}
			got := h.inspect(t, id)
			if got.RestartCount != tc.restarts || got.State.Running != tc.running || got.State.Restarting {
				t.Errorf("RestartCount %d, running %v, restarting %v; want %d, %v", got.RestartCount, got.State.Running, got.State.Restarting, tc.restarts, tc.running)
			}
			rep := h.do(t, req{op: call.OpContainerRemove, vars: name(id)})
			if want := map[bool]int{true: http.StatusConflict, false: http.StatusNoContent}[tc.running]; rep.Status != want {
				t.Errorf("remove: %d, want %d: %s", rep.Status, want, rep.Body)
			}
			h.do(t, req{op: call.OpContainerRemove, vars: name(id), query: map[string][]string{"force": {"1"}}})
		})
	}
}
