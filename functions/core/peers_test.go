package core_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestStartPeers: a starting container is given the names of every
// container on its user-defined networks (itself included, started or
// not), as dockerd's embedded DNS knows them: name, aliases, short ID,
// hostname. The default bridge resolves no container names.
func TestStartPeers(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "base:1")
	h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: "app_default"}}, http.StatusCreated, nil)
	on := func(net string, aliases ...string) func(*container.CreateRequest) {
		return func(cr *container.CreateRequest) {
			cr.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{net: {Aliases: aliases}}}
		}
	}
	web := h.create(t, "app-web-1", img, on("app_default", "web"))
	client := h.create(t, "app-client-1", img, func(cr *container.CreateRequest) {
		on("app_default", "client")(cr)
		cr.Hostname = "cl"
	})
	h.create(t, "elsewhere", img, on(network.NetworkBridge))

	h.ok(t, req{op: call.OpContainerStart, vars: name(client)}, http.StatusNoContent, nil)
	got := map[string][]string{}
	for _, p := range h.starts.last().Peers {
		got[p.Names[0]] = p.Names
	}
	want := map[string][]string{
		"app-web-1":    {"app-web-1", "web", web[:12]}, // its hostname is its short ID: once
		"app-client-1": {"app-client-1", "client", client[:12], "cl"},
	}
	if len(got) != len(want) {
		t.Fatalf("peers %v, want %v", got, want)
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("peer %s: names %v, want %v", k, got[k], w)
		}
	}

	// Inspect shows them as DNSNames, as dockerd does (API 1.44).
	if ep := h.inspect(t, client).NetworkSettings.Networks["app_default"]; ep == nil || !slices.Equal(ep.DNSNames, want["app-client-1"]) {
		t.Errorf("client's endpoint %+v, want DNSNames %v", ep, want["app-client-1"])
	}

	h.ok(t, req{op: call.OpContainerStart, vars: name("elsewhere")}, http.StatusNoContent, nil)
	if p := h.starts.last().Peers; len(p) != 0 {
		t.Errorf("a container on the default bridge got peers %v", p)
	}
}
