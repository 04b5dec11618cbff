package core_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestWorkloadPeers proves a started workload carries the names its
// user-defined networks resolve, as Docker's DNS answers them: the
// running containers on them by name, short ID and alias (act reaches a
// service container by its alias), itself included; not the containers
// that have not started, not those on other networks, and nothing on the
// default bridge, which has no DNS.
func TestWorkloadPeers(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	for _, n := range []string{"jobnet", "other"} {
		h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: n}}, http.StatusCreated, nil)
	}
	on := func(net string, aliases ...string) func(*container.CreateRequest) {
		return func(r *container.CreateRequest) {
			r.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{net: {Aliases: aliases}}}
		}
	}
	start := func(n string) {
		h.ok(t, req{op: call.OpContainerStart, vars: name(n)}, http.StatusNoContent, nil)
	}
	svc := h.create(t, "svc-1", "app:v1", on("jobnet", "pong"))
	h.create(t, "idle", "app:v1", on("jobnet", "idle-alias"))
	h.create(t, "elsewhere", "app:v1", on("other", "far"))
	job := h.create(t, "job", "app:v1", on("jobnet", "build"))
	h.create(t, "plain", "app:v1", nil)
	start("svc-1")
	start("elsewhere")

	cases := []struct {
		name      string
		container string
		want      []string
	}{
		{"job sees the running service and itself", "job", []string{job[:12], "build", "job", svc[:12], "pong", "svc-1"}},
		{"default bridge has no names", "plain", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start(c.container)
			got := h.starts.last().Peers
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("peers %q, want %q", got, want)
			}
		})
	}
}
