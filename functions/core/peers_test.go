package core_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestPeers: a starting workload is given the names Docker's embedded
// DNS would answer for it: the names and aliases of the running
// containers on its user-defined networks, and no others.
func TestPeers(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "peers:1")
	for _, n := range []string{"ci", "other"} {
		h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: n}}, http.StatusCreated, nil)
	}
	on := func(net string, aliases ...string) func(*container.CreateRequest) {
		return func(cr *container.CreateRequest) {
			cr.HostConfig = &container.HostConfig{NetworkMode: container.NetworkMode(net)}
			cr.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{net: {Aliases: aliases}}}
		}
	}
	start := func(id string) []string {
		h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)
		return h.starts.last().Peers
	}
	if got := start(h.create(t, "svc", img, on("ci", "pingsvc", "web"))); len(got) != 0 {
		t.Errorf("first container on the network: peers %q, want none", got)
	}
	start(h.create(t, "elsewhere", img, on("other", "notme")))
	start(h.create(t, "plain", img, nil)) // the default bridge: no names
	h.create(t, "idle", img, on("ci", "idle-alias"))

	tests := []struct {
		name string
		ctr  string
		opts func(*container.CreateRequest)
		want []string
	}{
		{"the running containers of its network, by name and alias, not a created one", "job", on("ci"), []string{"pingsvc", "svc", "web"}},
		{"only those of its own network", "lonely", on("other", "x"), []string{"elsewhere", "notme"}},
		{"the default bridge has none", "bridged", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := start(h.create(t, tt.ctr, img, tt.opts))
			if !slices.Equal(got, tt.want) {
				t.Errorf("peers %q, want %q", got, tt.want)
			}
		})
	}
}
