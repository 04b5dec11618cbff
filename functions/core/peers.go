package core

import (
	"context"
	"slices"
)

// peerNames are the names Docker's embedded DNS answers on rec's
// user-defined networks: each attached container's name, short ID and
// aliases on the network it shares with rec, rec's own included. The
// predefined networks (bridge, host, none) have no such names. It is what
// the containers on those networks are at rec's start, sorted.
func (c *Core) peerNames(ctx context.Context, rec *containerRecord) ([]string, error) {
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
		for name, ep := range r.Networks {
			if !shared[name] && (ep == nil || ep.NetworkID == "" || !shared[ep.NetworkID]) {
				continue
			}
			names = append(names, r.shortName(), r.ID[:12])
			if ep != nil {
				names = append(names, ep.Aliases...)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
