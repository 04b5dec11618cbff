package core_test

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestNetworkEnableIPv6 proves a network keeps the EnableIPv6 its
// create asked for, as dockerd's inspect shows it (docker-py's
// test_create_network_ipv6_enabled).
func TestNetworkEnableIPv6(t *testing.T) {
	h := newHarness(t)
	yes, no := true, false
	v6 := &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{
		Subnet: netip.MustParsePrefix("2001:389::/64"), IPRange: netip.MustParsePrefix("2001:389::/96"),
		Gateway: netip.MustParseAddr("2001:389::ffff"),
	}}}
	tests := []struct {
		name   string
		enable *bool
		ipam   *network.IPAM
		want   bool
	}{
		{name: "asked for, with an IPv6 subnet", enable: &yes, ipam: v6, want: true},
		{name: "asked against", enable: &no, want: false},
		{name: "not asked", want: false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var created network.CreateResponse
			h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{
				Name: "v6net" + string(rune('a'+i)), EnableIPv6: tt.enable, IPAM: tt.ipam,
			}}, http.StatusCreated, &created)
			var n network.Inspect
			h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": created.ID}}, http.StatusOK, &n)
			if n.EnableIPv6 != tt.want || !n.EnableIPv4 {
				t.Errorf("EnableIPv6 %v EnableIPv4 %v, want %v and true", n.EnableIPv6, n.EnableIPv4, tt.want)
			}
		})
	}
}
