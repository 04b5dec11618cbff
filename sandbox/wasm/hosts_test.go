package wasm

import (
	"context"
	"net/netip"
	"slices"
	"testing"
)

// TestLoopbackAddrsThroughHosts: a name the container's /etc/hosts
// lists resolves there first (how a container reaches the containers it
// shares a network with); the address is still checked after.
func TestLoopbackAddrsThroughHosts(t *testing.T) {
	hosts := Hosts("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# 127.0.0.1 commented\n" +
		"127.0.0.1\tweb pingsvc # the service\n127.0.0.2 db\n192.0.2.7 elsewhere\nnot-an-ip junk\n")
	for _, c := range []struct {
		name, addr string
		hosts      Hosts
		want       []netip.Addr
		errno      int32
	}{
		{"an alias", "pingsvc:39517", hosts, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, 0},
		{"the first name of a line", "web:80", hosts, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, 0},
		{"names match without case", "PingSvc:1", hosts, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, 0},
		{"another loopback address", "db:5432", hosts, []netip.Addr{netip.MustParseAddr("127.0.0.2")}, 0},
		{"every line of a name", "localhost:1", hosts, []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, 0},
		{"a hosts entry elsewhere is refused", "elsewhere:80", hosts, nil, errnoNotCapable},
		{"a commented name is unknown", "commented:80", hosts, nil, -1},
		{"without hosts the alias is unknown", "pingsvc:39517", nil, nil, -1},
		{"an address literal is not a name", "127.0.0.2:80", Hosts("127.0.0.1 127.0.0.2\n"), []netip.Addr{netip.MustParseAddr("127.0.0.2")}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			ips, _, err := loopbackAddrs(context.Background(), "tcp", c.addr, c.hosts)
			switch {
			case c.errno == -1:
				if err == nil {
					t.Errorf("resolved to %v, want an error", ips)
				}
			case c.errno != 0:
				if got := netErrno(err); got != c.errno {
					t.Errorf("errno %d (%v), want %d", got, err, c.errno)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case !slices.Equal(ips, c.want):
				t.Errorf("addresses %v, want %v", ips, c.want)
			}
		})
	}
}
