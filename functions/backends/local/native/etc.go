//go:build linux && cgo

package native

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/sockerless/sockerless/functions/core"
)

// defaultGateway is the default bridge's gateway, which dockerd gives
// --add-host NAME:host-gateway (its --host-gateway-ip default).
var defaultGateway = netip.MustParseAddr("172.17.0.1")

// writeEtc writes the container's /etc/hostname, /etc/hosts and
// /etc/resolv.conf into its layer, as dockerd writes them at each
// start. peers are the addresses and names of the containers it shares
// a user-defined network with.
func (d *Driver) writeEtc(ctx context.Context, w core.Workload, mode netMode, peers []hostEntry) error {
	host, err := os.ReadFile("/etc/resolv.conf")
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	hosts, err := hostsFile(w, mode, peers)
	if err != nil {
		return err
	}
	return d.WriteEtcFiles(ctx, w, map[string]string{
		"hostname":    w.Hostname + "\n",
		"hosts":       string(hosts),
		"resolv.conf": string(resolvConf(host, w, mode)),
	})
}

// hostEntry is one line of /etc/hosts: an address and its names.
type hostEntry struct {
	addr  netip.Addr
	names []string
}

// hostsFile is the container's /etc/hosts as dockerd writes it:
// loopback, --add-host entries, then the container's own address and
// hostname. Its peers on user-defined networks follow at their
// addresses, where dockerd's embedded DNS would answer for them; on the
// host's network they answer on loopback.
func hostsFile(w core.Workload, mode netMode, peers []hostEntry) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	for _, h := range w.ExtraHosts {
		name, addr, ok := strings.Cut(h, ":")
		if !ok {
			// --add-host also takes NAME=IP.
			name, addr, ok = strings.Cut(h, "=")
		}
		if !ok {
			return nil, fmt.Errorf("invalid --add-host %q: want NAME:IP", h)
		}
		if addr == "host-gateway" {
			addr = defaultGateway.String()
		}
		fmt.Fprintf(&b, "%s\t%s\n", strings.Trim(addr, "[]"), name)
	}
	own := "127.0.1.1"
	if mode == netBridge && len(w.Endpoints) > 0 {
		own = w.Endpoints[0].Address.Addr().String()
	}
	fmt.Fprintf(&b, "%s\t%s\n", own, w.Hostname)
	if mode == netHost && len(w.Peers) > 0 {
		b.WriteString("127.0.0.1\t" + strings.Join(w.Peers, " ") + "\n")
	}
	for _, p := range peers {
		fmt.Fprintf(&b, "%s\t%s\n", p.addr, strings.Join(p.names, " "))
	}
	return b.Bytes(), nil
}

// resolvConf is the container's /etc/resolv.conf as dockerd writes it:
// the host's, without its loopback nameservers off the host's network
// (Google's public ones when none remain), with --dns, --dns-search and
// --dns-option replacing the host's nameservers, search and options. On
// a user-defined network the nameserver is the embedded DNS server,
// with ndots:0, and the others are its upstreams.
func resolvConf(host []byte, w core.Workload, mode netMode) []byte {
	internal := mode == netBridge && userNetworks(w) != nil
	if mode == netHost && len(w.DNS) == 0 && len(w.DNSSearch) == 0 && len(w.DNSOptions) == 0 {
		return host
	}
	var out bytes.Buffer
	var servers, options []string
	sc := bufio.NewScanner(bytes.NewReader(host))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "nameserver":
			if a, err := netip.ParseAddr(f[1]); err == nil && (mode == netHost || !a.IsLoopback()) {
				servers = append(servers, f[1])
			}
		case len(f) >= 1 && (f[0] == "search" || f[0] == "domain") && len(w.DNSSearch) > 0:
		case len(f) >= 1 && f[0] == "options":
			options = append(options, f[1:]...)
		default:
			out.WriteString(line + "\n")
		}
	}
	if len(w.DNS) > 0 {
		servers = servers[:0]
		for _, a := range w.DNS {
			servers = append(servers, a.String())
		}
	}
	if len(servers) == 0 {
		servers = []string{"8.8.8.8", "8.8.4.4"}
	}
	if internal {
		servers = []string{resolverAddr.Addr().String()}
	}
	for _, s := range servers {
		out.WriteString("nameserver " + s + "\n")
	}
	if len(w.DNSSearch) > 0 {
		out.WriteString("search " + strings.Join(w.DNSSearch, " ") + "\n")
	}
	if len(w.DNSOptions) > 0 {
		options = w.DNSOptions
	}
	if internal && !slices.ContainsFunc(options, func(o string) bool { return strings.HasPrefix(o, "ndots:") }) {
		options = append([]string{"ndots:0"}, options...)
	}
	if len(options) > 0 {
		out.WriteString("options " + strings.Join(options, " ") + "\n")
	}
	return out.Bytes()
}

// hostNameservers are the nameservers of the host's resolv.conf.
func hostNameservers() []netip.Addr {
	host, _ := os.ReadFile("/etc/resolv.conf")
	var out []netip.Addr
	for _, line := range strings.Split(string(host), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil {
				out = append(out, a)
			}
		}
	}
	return out
}
