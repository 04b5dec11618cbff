package core_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// TestEndpointAddresses: containers started at once on one network each
// get the network's ID, their own endpoint and their own address from
// its subnet; leaving or removal frees the address for the next one.
func TestEndpointAddresses(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "base:1")

	// Networks created at once get distinct subnets.
	nets := make([]network.CreateResponse, 4)
	parallel(t, len(nets), func(i int) error {
		rep := h.do(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: fmt.Sprintf("net%d", i)}})
		if rep.Status != http.StatusCreated {
			return fmt.Errorf("create net%d: %d %s", i, rep.Status, rep.Body)
		}
		return json.Unmarshal(rep.Body, &nets[i])
	})
	subnets := map[netip.Prefix]bool{}
	for i := range nets {
		var n network.Inspect
		h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": nets[i].ID}}, http.StatusOK, &n)
		if len(n.IPAM.Config) != 1 || subnets[n.IPAM.Config[0].Subnet] {
			t.Fatalf("net%d IPAM %+v; subnets so far %v", i, n.IPAM.Config, subnets)
		}
		subnets[n.IPAM.Config[0].Subnet] = true
	}
	var net0 network.Inspect
	h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": "net0"}}, http.StatusOK, &net0)
	subnet, gw := net0.IPAM.Config[0].Subnet, net0.IPAM.Config[0].Gateway

	ids := make([]string, 8)
	for i := range ids {
		ids[i] = h.create(t, "", img, func(cr *container.CreateRequest) {
			cr.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"net0": {}}}
		})
	}
	parallel(t, len(ids), func(i int) error {
		if rep := h.do(t, req{op: call.OpContainerStart, vars: name(ids[i])}); rep.Status != http.StatusNoContent {
			return fmt.Errorf("start: %d %s", rep.Status, rep.Body)
		}
		return nil
	})
	owner := map[netip.Addr]string{}
	for _, id := range ids {
		ep := h.inspect(t, id).NetworkSettings.Networks["net0"]
		if ep == nil || ep.NetworkID != net0.ID || len(ep.EndpointID) != 64 || ep.Gateway != gw || ep.IPPrefixLen != subnet.Bits() {
			t.Fatalf("%s endpoint %+v, want network %s gateway %s/%d", id[:12], ep, net0.ID, gw, subnet.Bits())
		}
		if !subnet.Contains(ep.IPAddress) || ep.IPAddress == gw || owner[ep.IPAddress] != "" {
			t.Fatalf("%s has %s: not a free host of %s (held by %q)", id[:12], ep.IPAddress, subnet, owner[ep.IPAddress])
		}
		owner[ep.IPAddress] = id
		b := ep.IPAddress.As4()
		if want := fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]); ep.MacAddress.String() != want {
			t.Errorf("%s MAC %s, want %s", id[:12], ep.MacAddress, want)
		}
	}

	// docker compose reads the list's endpoints to decide a service is on
	// its network.
	var list []container.Summary
	h.ok(t, req{op: call.OpContainerList}, http.StatusOK, &list)
	for _, c := range list {
		ep := c.NetworkSettings.Networks["net0"]
		if ep == nil || ep.NetworkID != net0.ID || owner[ep.IPAddress] != c.ID {
			t.Fatalf("list shows %s on net0 as %+v", c.ID[:12], ep)
		}
	}

	// The lowest address was handed out first; freeing it makes it the
	// next one given, by disconnect and by removal alike.
	first := subnet.Addr().Next().Next()
	tests := []struct {
		name string
		free func(id string)
	}{
		{"disconnect", func(id string) {
			h.ok(t, req{op: call.OpNetworkDisconnect, vars: map[string]string{"id": "net0"}, body: network.DisconnectRequest{Container: id}}, http.StatusOK, nil)
		}},
		{"remove", func(id string) {
			h.ok(t, req{op: call.OpContainerRemove, vars: name(id), query: map[string][]string{"force": {"1"}}}, http.StatusNoContent, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			holder := owner[first]
			tt.free(holder)
			next := h.create(t, "", img, nil)
			h.ok(t, req{op: call.OpContainerStart, vars: name(next)}, http.StatusNoContent, nil)
			h.ok(t, req{op: call.OpNetworkConnect, vars: map[string]string{"id": "net0"}, body: network.ConnectRequest{Container: next}}, http.StatusOK, nil)
			if ep := h.inspect(t, next).NetworkSettings.Networks["net0"]; ep == nil || ep.IPAddress != first {
				t.Fatalf("after %s of %s the next container got %+v, want %s", tt.name, holder[:12], ep, first)
			}
			owner[first] = next
		})
	}
}

// parallel runs fn(0..n-1) at once and fails on the first error.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
