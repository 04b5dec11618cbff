//go:build linux && cgo

package native

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/vishvananda/netns"

	"github.com/sockerless/sockerless/functions/core"
)

// startNet is one start's network: how the container is networked, the
// namespace its init joins ("" for a new one, or none on the host's),
// and what was wired for it.
type startNet struct {
	mode   netMode
	nsPath string
	// ns holds a bridged container's namespace until its init is in
	// it; from then on its processes keep it.
	ns netns.NsHandle
	at *attachment
}

// startNet networks a start of w: a bridged container gets a namespace
// wired to its networks' bridges before its init joins it, so its main
// process starts with its addresses in place.
func (d *Driver) startNet(w core.Workload) (*startNet, error) {
	mode, other := networkOf(w.NetworkMode)
	sn := &startNet{mode: mode, ns: netns.None()}
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
	}
	return sn, nil
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
	return d.bridges.detach(sn.at)
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
	mine := map[string]bool{}
	for _, ep := range w.Endpoints {
		if len(ep.DNSNames) > 0 {
			mine[ep.NetworkID] = true
		}
	}
	if len(mine) == 0 {
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
