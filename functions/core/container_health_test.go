package core_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// A container's healthcheck reaches its workload (the agent runs it)
// resolved as dockerd resolves it, and the probe results the edge passes
// on make State.Health as dockerd's rules do, with a health_status
// event at each change of status.
func TestHealthcheck(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.importImage(t, "checked:v1", `HEALTHCHECK --interval=7s --retries=4 CMD ["probe", "--deep"]`)
	type probe struct {
		code  int
		after time.Duration // the probe's start, after the container's
	}
	for _, tc := range []struct {
		name        string
		image       string
		hc          *container.HealthConfig
		args        []string      // the probe the workload gets; nil: none
		interval    time.Duration // and its interval
		probes      []probe
		status      container.HealthStatus
		streak      int
		transitions []string // the health_status events
	}{
		{name: "no healthcheck leaves Health unset", image: "app:v1"},
		{name: "NONE turns the image's off", image: "checked:v1", hc: &container.HealthConfig{Test: []string{"NONE"}}},
		{name: "a shell test runs in /bin/sh with dockerd's defaults", image: "app:v1",
			hc: &container.HealthConfig{Test: []string{"CMD-SHELL", "echo hi"}}, args: []string{"/bin/sh", "-c", "echo hi"},
			interval: 30 * time.Second, status: container.Starting},
		{name: "the image's healthcheck applies, its settings filling the container's", image: "checked:v1",
			hc: &container.HealthConfig{Interval: time.Second}, args: []string{"probe", "--deep"}, interval: time.Second,
			probes: []probe{{1, time.Second}, {1, 2 * time.Second}, {1, 3 * time.Second}}, status: container.Starting, streak: 3},
		{name: "a success makes it healthy", image: "app:v1",
			hc: &container.HealthConfig{Test: []string{"CMD", "true"}, Retries: 1}, args: []string{"true"}, interval: 30 * time.Second,
			probes: []probe{{0, time.Second}}, status: container.Healthy, transitions: []string{"health_status: healthy"}},
		{name: "retries failures make it unhealthy", image: "app:v1",
			hc: &container.HealthConfig{Test: []string{"CMD", "false"}, Retries: 2}, args: []string{"false"}, interval: 30 * time.Second,
			probes: []probe{{1, time.Second}, {1, 2 * time.Second}}, status: container.Unhealthy, streak: 2,
			transitions: []string{"health_status: unhealthy"}},
		{name: "failures in the start period do not count", image: "app:v1",
			hc:   &container.HealthConfig{Test: []string{"CMD", "false"}, Retries: 1, StartPeriod: time.Minute},
			args: []string{"false"}, interval: 30 * time.Second,
			probes: []probe{{1, time.Second}, {1, 2 * time.Second}}, status: container.Starting},
		{name: "a success after failures resets the streak", image: "app:v1",
			hc: &container.HealthConfig{Test: []string{"CMD", "x"}, Retries: 1}, args: []string{"x"}, interval: 30 * time.Second,
			probes: []probe{{1, time.Second}, {0, 2 * time.Second}}, status: container.Healthy,
			transitions: []string{"health_status: unhealthy", "health_status: healthy"}},
		{name: "a late result is dropped", image: "app:v1",
			hc: &container.HealthConfig{Test: []string{"CMD", "x"}, Retries: 1}, args: []string{"x"}, interval: 30 * time.Second,
			probes: []probe{{0, 2 * time.Second}, {1, time.Second}}, status: container.Healthy,
			transitions: []string{"health_status: healthy"}},
		{name: "a result from before the start is dropped", image: "app:v1",
			hc: &container.HealthConfig{Test: []string{"CMD", "x"}, Retries: 1}, args: []string{"x"}, interval: 30 * time.Second,
			probes: []probe{{1, -time.Hour}}, status: container.Starting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := h.create(t, "", tc.image, func(cr *container.CreateRequest) { cr.Config.Healthcheck = tc.hc })
			h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)
			w := h.starts.last()
			switch {
			case tc.args == nil && w.Health != nil:
				t.Fatalf("the workload got healthcheck %+v, want none", w.Health)
			case tc.args != nil && (w.Health == nil || !slices.Equal(w.Health.Args, tc.args) || w.Health.Interval != tc.interval):
				t.Fatalf("the workload got healthcheck %+v, want %q every %v", w.Health, tc.args, tc.interval)
			}
			started, err := time.Parse(time.RFC3339Nano, h.inspect(t, id).State.StartedAt)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.probes {
				at := started.Add(p.after)
				h.ok(t, req{op: call.OpContainerHealth, vars: map[string]string{"id": id},
					body: call.HealthReport{Start: at, End: at, ExitCode: p.code, Output: "out"}}, http.StatusNoContent, nil)
			}
			got := h.inspect(t, id).State.Health
			if tc.args == nil {
				if got != nil {
					t.Fatalf("Health %+v, want none", got)
				}
				tc.status = container.NoHealthcheck // what ps --filter health= calls it
			}
			if tc.args != nil && (got == nil || got.Status != tc.status || got.FailingStreak != tc.streak) {
				t.Fatalf("Health %+v, want status %s, failing streak %d", got, tc.status, tc.streak)
			}
			q := url.Values{"since": {"0"}, "filters": filterQuery(map[string][]string{"container": {id}})["filters"]}
			var transitions []string
			for _, m := range eventLines(t, h.ok(t, req{op: call.OpSystemEvents, query: q}, http.StatusOK, nil).Body) {
				if strings.HasPrefix(string(m.Action), "health_status") {
					transitions = append(transitions, string(m.Action))
				}
			}
			if !slices.Equal(transitions, tc.transitions) {
				t.Errorf("events %q, want %q", transitions, tc.transitions)
			}
			// docker ps --filter health= finds it by its status.
			var list []container.Summary
			h.ok(t, req{op: call.OpContainerList, query: filterQuery(map[string][]string{"health": {string(tc.status)}, "id": {id}})}, http.StatusOK, &list)
			if len(list) != 1 {
				t.Errorf("ps --filter health=%s lists %d containers, want it", tc.status, len(list))
			}
		})
	}
}
