//go:build linux && cgo

package native

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
)

func TestHostsFile(t *testing.T) {
	bridged := core.Workload{Hostname: "c0ffee", Endpoints: []core.Endpoint{{Address: netip.MustParsePrefix("172.18.0.5/16")}}}
	cases := []struct {
		name  string
		w     core.Workload
		mode  netMode
		peers []hostEntry
		want  []string // lines, in order
	}{
		{name: "a bridged container's hostname is its address", w: bridged, mode: netBridge, want: []string{"127.0.0.1\tlocalhost", "172.18.0.5\tc0ffee"}},
		{name: "without a network it is 127.0.1.1", w: core.Workload{Hostname: "c0ffee"}, mode: netNone, want: []string{"127.0.1.1\tc0ffee"}},
		{
			name: "--add-host entries come before the hostname, host-gateway is the default bridge's gateway",
			w:    core.Workload{Hostname: "h", ExtraHosts: []string{"db:10.0.0.9", "gw:host-gateway", "v6:[::1]", "eq=10.0.0.8"}}, mode: netNone,
			want: []string{"10.0.0.9\tdb", "172.17.0.1\tgw", "::1\tv6", "10.0.0.8\teq", "127.0.1.1\th"},
		},
		{
			name: "peers on user networks are at their addresses",
			w:    bridged, mode: netBridge, peers: []hostEntry{{addr: netip.MustParseAddr("172.18.0.2"), names: []string{"web", "www", "0123456789ab"}}},
			want: []string{"172.18.0.5\tc0ffee", "172.18.0.2\tweb www 0123456789ab"},
		},
		{name: "peers on the host's network are on loopback", w: core.Workload{Hostname: "h", Peers: []string{"db"}}, mode: netHost, want: []string{"127.0.0.1\tdb"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hostsFile(tc.w, tc.mode, tc.peers)
			if err != nil {
				t.Fatal(err)
			}
			if !inOrder(string(got), tc.want) {
				t.Errorf("hosts:\n%s\nwant the lines %q in order", got, tc.want)
			}
		})
	}
	if _, err := hostsFile(core.Workload{ExtraHosts: []string{"nocolon"}}, netNone, nil); err == nil {
		t.Error("--add-host without an address: no error")
	}
}

func TestResolvConf(t *testing.T) {
	host := []byte("# host's\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.test\noptions edns0\n")
	cases := []struct {
		name          string
		w             core.Workload
		mode          netMode
		want, notWant []string
	}{
		{name: "on the host's network it is the host's", mode: netHost, want: []string{"nameserver 127.0.0.53", "nameserver 192.0.2.53", "search corp.test"}},
		{name: "off it, loopback nameservers go", mode: netBridge, want: []string{"# host's", "search corp.test", "nameserver 192.0.2.53", "options edns0"}, notWant: []string{"127.0.0.53"}},
		{
			name: "on a user-defined network the embedded DNS server answers, with ndots:0",
			w:    core.Workload{Endpoints: []core.Endpoint{{DNSNames: []string{"web"}}}}, mode: netBridge,
			want: []string{"search corp.test", "nameserver 127.0.0.11", "options ndots:0 edns0"}, notWant: []string{"192.0.2.53", "127.0.0.53"},
		},
		{
			name: "--dns, --dns-search and --dns-option replace the host's",
			w:    core.Workload{DNS: []netip.Addr{netip.MustParseAddr("10.0.0.53")}, DNSSearch: []string{"a.test", "b.test"}, DNSOptions: []string{"ndots:2"}}, mode: netBridge,
			want: []string{"nameserver 10.0.0.53", "search a.test b.test", "options ndots:2"}, notWant: []string{"192.0.2.53", "corp.test", "edns0"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(resolvConf(host, tc.w, tc.mode))
			if !inOrder(got, tc.want) {
				t.Errorf("resolv.conf:\n%s\nwant the lines %q in order", got, tc.want)
			}
			for _, s := range tc.notWant {
				if strings.Contains(got, s) {
					t.Errorf("resolv.conf:\n%s\nholds %q", got, s)
				}
			}
		})
	}
	if got := string(resolvConf([]byte("nameserver 127.0.0.1\n"), core.Workload{}, netBridge)); got != "nameserver 8.8.8.8\nnameserver 8.8.4.4\n" {
		t.Errorf("only a loopback nameserver: %q, want Google's", got)
	}
}

// inOrder says text holds lines, each a whole line, in that order.
func inOrder(text string, lines []string) bool {
	all := strings.Split(text, "\n")
	i := 0
	for _, l := range all {
		if i < len(lines) && l == lines[i] {
			i++
		}
	}
	return i == len(lines)
}
