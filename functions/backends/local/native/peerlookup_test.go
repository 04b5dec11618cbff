//go:build linux && cgo

package native

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
)

// TestPeerLookup proves what the embedded DNS answers a workload: its
// user-defined networks' names, and its endpoints' link aliases for the
// linked container on that network (docker-py's test_create_with_links
// and test_connect_with_links), which other workloads do not see.
func TestPeerLookup(t *testing.T) {
	upstream := core.Endpoint{NetworkID: "n1", Address: netip.MustParsePrefix("172.18.0.3/16"), DNSNames: []string{"upstream", "db"}}
	elsewhere := core.Endpoint{NetworkID: "n2", Address: netip.MustParsePrefix("172.19.0.3/16"), DNSNames: []string{"other"}}
	d := &Driver{workloads: map[string]*workload{
		"up":    {endpoints: []core.Endpoint{upstream}, status: core.WorkloadStatus{Running: true}},
		"other": {endpoints: []core.Endpoint{elsewhere}, status: core.WorkloadStatus{Running: true}},
		"gone":  {endpoints: []core.Endpoint{{NetworkID: "n1", Address: netip.MustParsePrefix("172.18.0.9/16"), DNSNames: []string{"stopped"}}}},
	}}
	linking := core.Workload{Endpoints: []core.Endpoint{{NetworkID: "n1", DNSNames: []string{"me"}, Links: map[string]string{"bar": "upstream"}}}}
	plain := core.Workload{Endpoints: []core.Endpoint{{NetworkID: "n1", DNSNames: []string{"you"}}}}
	cases := []struct {
		name string
		w    core.Workload
		host string
		want []string
	}{
		{name: "a peer's name on a shared network", w: plain, host: "upstream", want: []string{"172.18.0.3"}},
		{name: "a peer's alias, any case", w: plain, host: "DB", want: []string{"172.18.0.3"}},
		{name: "a link's alias names the linked container", w: linking, host: "bar", want: []string{"172.18.0.3"}},
		{name: "a link's alias, any case", w: linking, host: "BAR", want: []string{"172.18.0.3"}},
		{name: "another workload's link alias is not known", w: plain, host: "bar"},
		{name: "a container on another network is not known", w: linking, host: "other"},
		{name: "a stopped container is not known", w: linking, host: "stopped"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range d.peerLookup(tc.w)(tc.host) {
				got = append(got, a.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.host, got, tc.want)
			}
		})
	}
}
