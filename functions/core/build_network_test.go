package core_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// netRecorder is the local driver's builder, remembering the network
// each build's filesystem was started with.
type netRecorder struct {
	core.Images
	mu   sync.Mutex
	nets []core.BuildNetwork
}

func (r *netRecorder) StartBuild(ctx context.Context, baseID string, net core.BuildNetwork) (core.BuildFS, error) {
	r.mu.Lock()
	r.nets = append(r.nets, net)
	r.mu.Unlock()
	return r.Images.(core.Builder).StartBuild(ctx, baseID, net)
}

func (r *netRecorder) last() core.BuildNetwork {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nets[len(r.nets)-1]
}

// A build's --network and --add-host reach the builder resolved: the
// hosts as given, none, or the names of the running containers on the
// network named (docker-py's test_build_with_extra_hosts and
// test_build_with_network_mode); bad ones are refused before any step.
func TestBuildNetwork(t *testing.T) {
	var rec *netRecorder
	h := newHarnessWith(t, func(c *core.Config) { rec = &netRecorder{Images: c.Images}; c.Images = rec })
	h.importImage(t, "base:1")
	h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: "buildnet"}}, http.StatusCreated, nil)
	var ctr container.CreateResponse
	h.ok(t, req{op: call.OpContainerCreate, body: container.CreateRequest{
		Config:     &container.Config{Image: "base:1", Cmd: []string{"sleep", "60"}},
		HostConfig: &container.HostConfig{NetworkMode: "buildnet"},
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			"buildnet": {Aliases: []string{"pingtarget.docker"}}}},
	}}, http.StatusCreated, &ctr)
	h.ok(t, req{op: call.OpContainerStart, vars: name(ctr.ID)}, http.StatusNoContent, nil)

	files := map[string]string{"Dockerfile": "FROM base:1\n"}
	for _, tc := range []struct {
		name  string
		query url.Values
		check func(core.BuildNetwork) bool
	}{
		{"the runtime's own network by default", url.Values{}, func(n core.BuildNetwork) bool {
			return !n.None && n.ExtraHosts == nil && n.Peers == nil
		}},
		{"extra hosts, as several parameters or one comma-separated", url.Values{"extrahosts": {"a.test:127.0.0.1", "b.test:10.0.0.2,c.test:10.0.0.3"}},
			func(n core.BuildNetwork) bool {
				return slices.Equal(n.ExtraHosts, []string{"a.test:127.0.0.1", "b.test:10.0.0.2", "c.test:10.0.0.3"})
			}},
		{"none", url.Values{"networkmode": {"none"}}, func(n core.BuildNetwork) bool { return n.None }},
		{"host is the runtime's own network", url.Values{"networkmode": {"host"}}, func(n core.BuildNetwork) bool { return !n.None && n.Peers == nil }},
		{"a network's running containers by name and alias", url.Values{"networkmode": {"buildnet"}}, func(n core.BuildNetwork) bool {
			return !n.None && slices.Contains(n.Peers, "pingtarget.docker") && slices.Contains(n.Peers, ctr.ID[:12])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := h.build(t, files, tc.query); r.failed != nil {
				t.Fatalf("build failed: %s", r.text)
			}
			if got := rec.last(); !tc.check(got) {
				t.Errorf("the builder's network %+v", got)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		query  url.Values
		status int
		msg    string
	}{
		{"an extra host without its address", url.Values{"extrahosts": {"a.test"}}, http.StatusBadRequest, `invalid extra host "a.test": want host:ip`},
		{"a network that does not exist", url.Values{"networkmode": {"nosuchnet"}}, http.StatusNotFound, "network nosuchnet not found"},
		{"another container's network", url.Values{"networkmode": {"container:x"}}, http.StatusBadRequest,
			"network mode container:x is not supported for a build: name a network, host, bridge or none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.do(t, req{op: call.OpBuild, query: tc.query, body: contextTar(t, files)}), tc.status, tc.msg)
		})
	}
}
