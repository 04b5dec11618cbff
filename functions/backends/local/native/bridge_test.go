//go:build linux && cgo

package native

import (
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/sockerless/sockerless/functions/core"
)

// TestBridgesComeAndGo wires two containers' namespaces to bridges and
// checks what each side holds, and that detaching the last endpoint of
// a network deletes its bridge.
func TestBridgesComeAndGo(t *testing.T) {
	if err := Supported(); err != nil {
		t.Skip(err)
	}
	var b bridges
	t.Cleanup(func() { b.close() })
	ep := func(net, addr string) core.Endpoint {
		p := netip.MustParsePrefix(addr)
		return core.Endpoint{NetworkID: net + "0123456789abcdef", Network: net, Address: p, Gateway: p.Masked().Addr().Next(), MAC: macOf(p.Addr())}
	}
	one, err := newNetNS(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := newNetNS(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	atOne, err := b.attach(one, []core.Endpoint{ep("bridge", "172.17.0.2/16"), ep("front", "172.18.0.2/16")})
	if err != nil {
		t.Fatal(err)
	}
	atTwo, err := b.attach(two, []core.Endpoint{ep("front", "172.18.0.3/16")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := links(t, b.h), []string{"br-front0123456", "docker0", "lo"}; !slices.Equal(withoutVeths(got), want) || len(got) != len(want)+3 {
		t.Errorf("the bridges' namespace holds %q, want %q and 3 veths", got, want)
	}
	in, err := netlink.NewHandleAt(one)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got := links(t, in); !slices.Equal(got, []string{"eth0", "eth1", "lo"}) {
		t.Errorf("the container's namespace holds %q, want eth0, eth1 and lo", got)
	}
	if eth1, err := in.LinkByName("eth1"); err != nil || eth1.Attrs().HardwareAddr.String() != "02:42:ac:12:00:02" {
		t.Errorf("eth1: %v, %v; want MAC 02:42:ac:12:00:02", eth1, err)
	}
	routes, err := in.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(routes, func(r netlink.Route) bool {
		return (r.Dst == nil || r.Dst.IP.IsUnspecified()) && r.Gw.Equal(net.IPv4(172, 17, 0, 1))
	}) {
		t.Errorf("no default route via the first network's gateway: %v", routes)
	}
	if err := b.detach(atOne); err != nil {
		t.Fatal(err)
	}
	if got := links(t, b.h); len(got) != 3 || got[0] != "br-front0123456" {
		t.Errorf("after the default bridge's last container: %q, want front's bridge, one veth and lo", got)
	}
	if err := b.detach(atTwo); err != nil {
		t.Fatal(err)
	}
	if got := links(t, b.h); !slices.Equal(got, []string{"lo"}) {
		t.Errorf("after the last container: %q, want only lo", got)
	}
}

func links(t *testing.T, h *netlink.Handle) []string {
	t.Helper()
	ls, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Attrs().Name)
	}
	slices.Sort(out)
	return out
}

func withoutVeths(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return len(n) == 11 && n[:4] == "veth" })
}

// macOf is dockerd's MAC for an address (core allocates them so).
func macOf(ip netip.Addr) net.HardwareAddr {
	b := ip.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}
