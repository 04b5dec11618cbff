package core

import (
	"context"
	"slices"

	"github.com/moby/moby/api/types/network"
)

// peers are the names Docker's embedded DNS answers on rec's
// user-defined networks: the name, short ID, aliases and DNS names of
// each running container attached to a network rec is on, rec's own
// included. The predefined networks (bridge, host, none) have no such
// names, as on dockerd. It is what those networks hold at rec's start,
// sorted.
func (c *Core) peers(ctx context.Context, rec *containerRecord) ([]string, error) {
	// A record names a network as its create did, by name or by ID.
	shared := map[string]bool{}
	for ref := range rec.Networks {
		if isPredefined(ref) {
			continue
		}
		n, err := c.findNetwork(ctx, ref)
		if err != nil {
			return nil, err
		}
		if !isPredefined(n.Name) {
			shared[n.Name], shared[n.ID] = true, true
		}
	}
	if len(shared) == 0 {
		return nil, nil
	}
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range recs {
		if r.ID != rec.ID && !r.running() {
			continue
		}
		for name, ep := range r.Networks {
			if !shared[name] && (ep == nil || ep.NetworkID == "" || !shared[ep.NetworkID]) {
				continue
			}
			names = append(names, r.shortName(), r.ID[:12])
			if ep != nil {
				names = append(names, ep.Aliases...)
				names = append(names, ep.DNSNames...)
			}
		}
	}
	// An endpoint's links (network connect --link name:alias) name
	// other containers on its network by their aliases.
	for _, ep := range rec.Networks {
		for _, l := range linksOf(ep) {
			if _, alias, err := parseLink(l); err == nil {
				names = append(names, alias)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// resolvesNames says whether containers on network n resolve each
// other's names.
func resolvesNames(n *network.Inspect) bool {
	return !isPredefined(n.Name)
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

func linksOf(ep *network.EndpointSettings) []string {
	if ep == nil {
		return nil
	}
	return ep.Links
}
