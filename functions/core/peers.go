package core

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/network"
)

// Peers: on a user-defined network, dockerd's embedded DNS answers each
// container's names (its name, aliases, short ID and hostname) to the
// others on that network; the default bridge, host and none resolve no
// container names. Core lists them when a container starts, so the
// runtime can make them resolve wherever the workload runs (a runtime on
// the host's network answers loopback).

// Peer is a container on a network a workload is on, as that network's
// DNS knows it.
type Peer struct {
	Names []string
	// Addr is its address on the network; not valid until it started
	// on one with a subnet.
	Addr netip.Addr
}

// resolvesNames says whether containers on network n resolve each
// other's names.
func resolvesNames(n *network.Inspect) bool {
	switch n.Name {
	case network.NetworkBridge, network.NetworkHost, network.NetworkNone:
		return false
	}
	return true
}

// dnsNames are the names rec is known by on a user-defined network
// through ep, in dockerd's order (EndpointSettings.DNSNames).
func dnsNames(rec *containerRecord, ep *network.EndpointSettings) []string {
	names := []string{rec.shortName()}
	if ep != nil {
		names = append(names, ep.Aliases...)
	}
	names = append(names, rec.ID[:12])
	if rec.Config != nil && rec.Config.Hostname != "" {
		names = append(names, rec.Config.Hostname)
	}
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// peers lists the containers on rec's user-defined networks (rec
// included) with their names there. A network that no longer exists
// adds none: the start fails on it elsewhere.
func (c *Core) peers(ctx context.Context, rec *containerRecord) ([]Peer, error) {
	shared := map[string]bool{} // names and IDs of rec's networks that resolve names
	for key := range rec.Networks {
		n, err := c.findNetwork(ctx, key)
		if err != nil || !resolvesNames(n) {
			continue
		}
		shared[n.Name], shared[n.ID] = true, true
	}
	if len(shared) == 0 {
		return nil, nil
	}
	recs, err := c.containers(ctx, keyContainer)
	if err != nil {
		return nil, err
	}
	var out []Peer
	for i := range recs {
		r := &recs[i]
		if r.ID == rec.ID {
			r = rec
		}
		for key, ep := range r.Networks {
			if !shared[key] && (ep == nil || !shared[ep.NetworkID]) {
				continue
			}
			p := Peer{Names: dnsNames(r, ep)}
			if ep != nil {
				p.Addr = ep.IPAddress
			}
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Peer) int { return strings.Compare(a.Names[0], b.Names[0]) })
	return out, nil
}
