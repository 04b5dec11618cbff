package core_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestPeers proves a start hands the driver the names Docker's embedded
// DNS answers on the container's user-defined networks: names, short IDs
// and aliases of the running containers sharing one (its own included),
// nothing from a created one, from other networks or from the default
// bridge.
func TestPeers(t *testing.T) {
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
	start := func(t *testing.T, id string) []string {
		h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)
		return h.starts.last().Peers
	}
	db := h.create(t, "db", "app:v1", on(map[string][]string{"back": {"database"}}))
	start(t, db)
	api := h.create(t, "api", "app:v1", on(map[string][]string{"front": {"api-alias"}, "back": {"backend"}}))
	start(t, api)
	h.create(t, "idle", "app:v1", on(map[string][]string{"front": {"idle-alias"}}))
	var back network.Inspect
	h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": "back"}}, http.StatusOK, &back)

	tests := []struct {
		name, container string
		opts            func(*container.CreateRequest)
		want            func(id string) []string
	}{
		{"an endpoint's links name their containers by alias", "linker",
			func(cr *container.CreateRequest) {
				cr.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
					"front": {Links: []string{"upstream:bar"}}}}
			},
			func(id string) []string { return []string{"api", "api-alias", api[:12], "bar", "linker", id[:12]} }},
		{"front: the running members and their front aliases, not a created one", "web",
			on(map[string][]string{"front": {"www"}}),
			func(id string) []string {
				return []string{"api", "api-alias", api[:12], "linker", h.inspect(t, "linker").ID[:12], "web", id[:12], "www"}
			}},
		{"back by its ID is the same network", "worker",
			on(map[string][]string{back.ID: {"jobs"}}),
			func(id string) []string {
				return []string{"api", api[:12], "backend", "database", "db", db[:12], "jobs", "worker", id[:12]}
			}},
		{"the default bridge resolves no names", "plain", nil, func(string) []string { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := h.create(t, tt.container, "app:v1", tt.opts)
			want := tt.want(id)
			slices.Sort(want)
			if got := start(t, id); !slices.Equal(got, want) {
				t.Errorf("peers %q, want %q", got, want)
			}
		})
	}
}
