//go:build linux && cgo

package native

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/vishvananda/netns"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// startNet is one start's network: how the container is networked, the
// namespace its init joins ("" for a new one, or none on the host's),
// and what was wired for it.
type startNet struct {
	mode   netMode
	nsPath string
	// ns holds a bridged container's namespace until its init is in
	// it; from then on its processes keep it.
	ns  netns.NsHandle
	at  *attachment
	dns *resolver // on a user-defined network
	// holder holds a rootless container's namespaces (see
	// nsrun.Holder): its network namespace is the holder's.
	holder *nsrun.Holder
}

// startNet networks a start of w: a bridged container gets a namespace
// wired to its networks' bridges before its init joins it, so its main
// process starts with its addresses in place.
func (d *Driver) startNet(w core.Workload) (*startNet, error) {
	mode, other := networkOf(w.NetworkMode)
	sn := &startNet{mode: mode, ns: netns.None()}
	if d.rootless {
		return sn, rootlessNet(mode)
	}
	switch mode {
	case netContainer:
		return d.joinNet(other)
	case netBridge:
		ns, err := newNetNS(nil)
		if err != nil {
			return nil, err
		}
		at, err := d.bridges.attach(ns, w.Endpoints)
		if err != nil {
			ns.Close()
			return nil, err
		}
		// The init opens it through this process's descriptor.
		sn.ns, sn.at, sn.nsPath = ns, at, fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), int(ns))
		if userNetworks(w) != nil {
			if sn.dns, err = startResolver(ns, d.peerLookup(w), upstreams(w)); err != nil {
				return nil, errors.Join(err, d.releaseNet(sn))
			}
		}
	}
	return sn, nil
}

// userNetworks is the set of w's user-defined networks (those whose
// containers know each other by name), or nil.
func userNetworks(w core.Workload) map[string]bool {
	var nets map[string]bool
	for _, ep := range w.Endpoints {
		if len(ep.DNSNames) > 0 {
			if nets == nil {
				nets = map[string]bool{}
			}
			nets[ep.NetworkID] = true
		}
	}
	return nets
}

// peerLookup finds the addresses of the running containers known by a
// name on one of w's user-defined networks. An alias of an endpoint's
// links (network connect --link name:alias) names, for w only, the
// linked container on that endpoint's network, as dockerd's embedded
// DNS answers it.
func (d *Driver) peerLookup(w core.Workload) func(string) []netip.Addr {
	nets := userNetworks(w)
	return func(name string) []netip.Addr {
		for _, ep := range w.Endpoints {
			if target, ok := ep.Links[strings.ToLower(name)]; ok {
				if addrs := d.addrsOn(map[string]bool{ep.NetworkID: true}, target); len(addrs) > 0 {
					return addrs
				}
			}
		}
		return d.addrsOn(nets, name)
	}
}

// addrsOn is the addresses on nets of the running containers known
// there by name.
func (d *Driver) addrsOn(nets map[string]bool, name string) []netip.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []netip.Addr
	for _, wl := range d.workloads {
		if !wl.status.Running {
			continue
		}
		for _, ep := range wl.endpoints {
			if nets[ep.NetworkID] && slices.ContainsFunc(ep.DNSNames, func(n string) bool { return strings.EqualFold(n, name) }) {
				out = append(out, ep.Address.Addr())
			}
		}
	}
	return out
}

// upstreams are the nameservers the embedded DNS forwards to: --dns's,
// else the host's (loopback ones too: it asks from the host's network).
func upstreams(w core.Workload) []string {
	addrs := w.DNS
	if len(addrs) == 0 {
		addrs = hostNameservers()
	}
	var out []string
	for _, a := range addrs {
		out = append(out, netip.AddrPortFrom(a, 53).String())
	}
	return out
}

// joined lets go of the namespace once the container's init is in it
// (or will never be).
func (sn *startNet) joined() {
	if sn.ns.IsOpen() {
		sn.ns.Close()
		sn.ns = netns.None()
	}
}

// releaseNet undoes what startNet wired; it may be called again.
func (d *Driver) releaseNet(sn *startNet) error {
	if sn == nil {
		return nil
	}
	sn.joined()
	err := errors.Join(sn.dns.close(), sn.holder.Close())
	sn.dns, sn.holder = nil, nil
	return errors.Join(err, d.bridges.detach(sn.at))
}

// joinNet is the network of a container joining the namespace of the
// running container ref (an ID, its prefix or a name), as dockerd's
// --network container:REF.
func (d *Driver) joinNet(ref string) (*startNet, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, wl := range d.workloads {
		if id != ref && wl.name != ref && (len(ref) < 3 || !strings.HasPrefix(id, ref)) {
			continue
		}
		if !wl.status.Running {
			break
		}
		if wl.net == nil || wl.net.mode == netHost {
			return &startNet{mode: netHost, ns: netns.None()}, nil
		}
		return &startNet{mode: netContainer, ns: netns.None(), nsPath: fmt.Sprintf("/proc/%d/ns/net", wl.status.Pid)}, nil
	}
	return nil, errors.New("cannot join network namespace of container " + ref + ": it is not running")
}

// peersOf is what w's /etc/hosts lists for the running containers it
// shares a user-defined network with: each one's address on that
// network and the names it is known by there (container name, aliases,
// short ID), where dockerd's embedded DNS would answer.
func (d *Driver) peersOf(w core.Workload) []hostEntry {
	mine := userNetworks(w)
	if mine == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []hostEntry
	for id, wl := range d.workloads {
		if id == w.ID || !wl.status.Running {
			continue
		}
		for _, ep := range wl.endpoints {
			if mine[ep.NetworkID] && len(ep.DNSNames) > 0 {
				out = append(out, hostEntry{addr: ep.Address.Addr(), names: ep.DNSNames})
			}
		}
	}
	slices.SortFunc(out, func(a, b hostEntry) int { return a.addr.Compare(b.addr) })
	return out
}
