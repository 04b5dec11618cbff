package core_test

import (
	"maps"
	"net/http"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// An endpoint's links, given at create or at network connect, reach the
// workload as alias → linked container on that endpoint, for the
// runtime's embedded DNS (docker-py's test_create_with_links and
// test_connect_with_links).
func TestEndpointLinksReachTheWorkload(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: "linknet"}}, http.StatusCreated, nil)
	for _, tc := range []struct {
		name           string
		create, connct []string // the endpoint's links at create, at connect
		want           map[string]string
	}{
		{"links at create", []string{"upstream:bar"}, nil, map[string]string{"bar": "upstream"}},
		{"links at connect", nil, []string{"upstream:Bar", "db"}, map[string]string{"bar": "upstream", "db": "db"}},
		{"no links", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out container.CreateResponse
			h.ok(t, req{op: call.OpContainerCreate, body: container.CreateRequest{
				Config:     &container.Config{Image: "app:v1", Cmd: []string{"true"}},
				HostConfig: &container.HostConfig{NetworkMode: "linknet"},
				NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
					"linknet": {Links: tc.create}}},
			}}, http.StatusCreated, &out)
			if tc.connct != nil {
				h.ok(t, req{op: call.OpNetworkDisconnect, vars: map[string]string{"id": "linknet"},
					body: network.DisconnectRequest{Container: out.ID}}, http.StatusOK, nil)
				h.ok(t, req{op: call.OpNetworkConnect, vars: map[string]string{"id": "linknet"}, body: network.ConnectRequest{
					Container: out.ID, EndpointConfig: &network.EndpointSettings{Links: tc.connct}}}, http.StatusOK, nil)
			}
			h.ok(t, req{op: call.OpContainerStart, vars: name(out.ID)}, http.StatusNoContent, nil)
			eps := h.starts.last().Endpoints
			if len(eps) != 1 || eps[0].Network != "linknet" || !maps.Equal(eps[0].Links, tc.want) {
				t.Errorf("the workload's endpoints %+v, want one on linknet with links %v", eps, tc.want)
			}
		})
	}
}
