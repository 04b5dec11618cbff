package core

import (
	"context"
	"slices"
	"sort"

	"github.com/moby/moby/api/types/network"
)

// peers lists the names Docker's embedded DNS answers for container id
// on its user-defined networks: the name and every alias (and DNS name)
// of each other running container that shares one of them. The default
// bridge, host and none have no such names, as on dockerd.
func (c *Core) peers(ctx context.Context, id string) ([]string, error) {
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(recs, func(r containerRecord) bool { return r.ID == id })
	if i < 0 {
		return nil, nil
	}
	mine := recs[i].Networks
	seen := map[string]bool{}
	for _, r := range recs {
		if r.ID == id || !r.running() {
			continue
		}
		for name, ep := range r.Networks {
			if _, shared := mine[name]; !shared || isPredefined(name) {
				continue
			}
			seen[r.shortName()] = true
			for _, n := range endpointNames(ep) {
				seen[n] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// endpointNames are the aliases and DNS names an endpoint answers to.
func endpointNames(ep *network.EndpointSettings) []string {
	if ep == nil {
		return nil
	}
	return append(slices.Clone(ep.Aliases), ep.DNSNames...)
}
