package core_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestPeerNames proves a start hands the driver the names Docker's DNS
// answers on the container's user-defined networks: names, short IDs and
// aliases of the containers sharing one, and nothing from other networks
// or the default bridge.
func TestPeerNames(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	for _, n := range []string{"front", "back"} {
		h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: n}}, http.StatusCreated, nil)
	}
	on := func(aliases map[string][]string) func(*container.CreateRequest) {
		return func(cr *container.CreateRequest) {
			eps := map[string]*network.EndpointSettings{}
			for n, a := range aliases {
				eps[n] = &network.EndpointSettings{Aliases: a}
			}
			cr.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: eps}
		}
	}
	db := h.create(t, "db", "app:v1", on(map[string][]string{"back": {"database"}}))
	api := h.create(t, "api", "app:v1", on(map[string][]string{"front": {"api-alias"}, "back": {"backend"}}))
	web := h.create(t, "web", "app:v1", on(map[string][]string{"front": {"www"}}))
	h.create(t, "plain", "app:v1", nil)
	var back network.Inspect
	h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": "back"}}, http.StatusOK, &back)
	worker := h.create(t, "worker", "app:v1", on(map[string][]string{back.ID: {"jobs"}}))

	tests := []struct {
		name      string
		container string
		want      []string
	}{
		{name: "front sees its members and their front aliases", container: "web",
			want: []string{"api", "api-alias", api[:12], "web", web[:12], "www"}},
		{name: "two networks add both members' names", container: "api",
			want: []string{"api", "api-alias", api[:12], "backend", "database", "db", db[:12], "jobs", "web", web[:12], "worker", worker[:12], "www"}},
		{name: "a network named by its ID is the same network", container: "worker",
			want: []string{"api", api[:12], "backend", "database", "db", db[:12], "jobs", "worker", worker[:12]}},
		{name: "default bridge resolves no names", container: "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.ok(t, req{op: call.OpContainerStart, vars: name(tt.container)}, http.StatusNoContent, nil)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if got := h.starts.last().PeerNames; !slices.Equal(got, want) {
				t.Errorf("PeerNames = %q, want %q", got, want)
			}
		})
	}
}
