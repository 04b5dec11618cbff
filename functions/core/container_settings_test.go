package core_test

import (
	"net/http"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// HostConfig.Runtime names the runtime the backend runs containers on
// (unset, it is that one), or runc, which it stands in for, and nothing
// else, in dockerd's words.
func TestHostConfigRuntime(t *testing.T) {
	h := newHarnessWith(t, func(c *core.Config) { c.Runtime = core.RuntimeInfo{Name: "native"} })
	h.importImage(t, "app:v1")
	for _, tc := range []struct {
		name, runtime, want string
		status              int
		msg                 string
	}{
		{"unset is the default runtime", "", "native", http.StatusCreated, ""},
		{"runc is accepted", "runc", "runc", http.StatusCreated, ""},
		{"the runtime's own name is accepted", "native", "native", http.StatusCreated, ""},
		{"another runtime is refused", "crun", "", http.StatusBadRequest, "Unknown runtime specified crun"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr := container.CreateRequest{Config: &container.Config{Image: "app:v1", Cmd: []string{"true"}},
				HostConfig: &container.HostConfig{Runtime: tc.runtime}}
			rep := h.do(t, req{op: call.OpContainerCreate, body: cr})
			if tc.status != http.StatusCreated {
				wantError(t, rep, tc.status, tc.msg)
				return
			}
			var out container.CreateResponse
			mustJSON(t, rep.Body, &out)
			if got := h.inspect(t, out.ID).HostConfig.Runtime; got != tc.want {
				t.Errorf("HostConfig.Runtime %q, want %q", got, tc.want)
			}
		})
	}
}

// A MAC address asked for (Config.MacAddress before API 1.44, the
// endpoint's since, and at network connect) is the endpoint's, before
// and after the start; without one, the address's derived MAC shows
// only while the container runs.
func TestMacAddress(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: "macnet"}}, http.StatusCreated, nil)
	const asked = "02:42:ac:11:00:0a"
	for _, tc := range []struct {
		name    string
		ver     string
		body    any
		connect string // a MAC asked for at network connect to macnet
		network string // the network whose endpoint shows it
		want    string // "" for none before the start, a derived one after
	}{
		{"Config.MacAddress of an API 1.41 client", "1.41",
			map[string]any{"Image": "app:v1", "Cmd": []string{"true"}, "MacAddress": asked}, "", "bridge", asked},
		{"the endpoint's MacAddress", "1.44",
			container.CreateRequest{Config: &container.Config{Image: "app:v1", Cmd: []string{"true"}},
				NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
					"bridge": {MacAddress: mustMAC(t, asked)}}}}, "", "bridge", asked},
		{"a MAC asked for at connect", "1.41",
			map[string]any{"Image": "app:v1", "Cmd": []string{"true"}}, asked, "macnet", asked},
		{"none asked for", "1.41", map[string]any{"Image": "app:v1", "Cmd": []string{"true"}}, "", "bridge", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out container.CreateResponse
			h.ok(t, req{op: call.OpContainerCreate, body: tc.body, ver: tc.ver}, http.StatusCreated, &out)
			if tc.connect != "" {
				h.ok(t, req{op: call.OpNetworkConnect, vars: map[string]string{"id": "macnet"}, body: network.ConnectRequest{
					Container: out.ID, EndpointConfig: &network.EndpointSettings{MacAddress: mustMAC(t, tc.connect)}}}, http.StatusOK, nil)
			}
			mac := func() string {
				ep := h.inspect(t, out.ID).NetworkSettings.Networks[tc.network]
				if ep == nil {
					t.Fatalf("no endpoint on %s", tc.network)
				}
				return ep.MacAddress.String()
			}
			if got := mac(); got != tc.want {
				t.Errorf("before the start: MAC %q, want %q", got, tc.want)
			}
			h.ok(t, req{op: call.OpContainerStart, vars: name(out.ID)}, http.StatusNoContent, nil)
			got := mac()
			if tc.want != "" && got != tc.want || tc.want == "" && got == "" {
				t.Errorf("running: MAC %q, want %q (or a derived one)", got, tc.want)
			}
			if w := h.starts.last(); tc.want != "" && !hasMAC(w.Endpoints, tc.want) {
				t.Errorf("the workload's endpoints %+v lack MAC %s", w.Endpoints, tc.want)
			}
		})
	}
}

func mustMAC(t *testing.T, s string) network.HardwareAddr {
	t.Helper()
	var m network.HardwareAddr
	if err := m.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return m
}

func hasMAC(eps []core.Endpoint, mac string) bool {
	for _, ep := range eps {
		if ep.MAC.String() == mac {
			return true
		}
	}
	return false
}
