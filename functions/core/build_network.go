package core

import (
	"context"
	"net/url"
	"strings"

	"github.com/moby/moby/api/types/network"
)

// buildNetwork resolves the network of a build's RUN steps from its
// query: networkmode ("", "default", "bridge" and "host" are the
// runtime's own network; "none"; or a network whose running containers
// the steps reach by name) and extrahosts (host:ip entries, several
// parameters or one comma-separated, as clients send them).
func (c *Core) buildNetwork(ctx context.Context, q url.Values) (BuildNetwork, error) {
	var net BuildNetwork
	for _, v := range q["extrahosts"] {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h == "" {
				continue
			}
			if name, ip, ok := strings.Cut(h, ":"); !ok || name == "" || ip == "" {
				return net, invalid("invalid extra host %q: want host:ip", h)
			}
			net.ExtraHosts = append(net.ExtraHosts, h)
		}
	}
	switch mode := q.Get("networkmode"); mode {
	case "", "default", network.NetworkBridge, network.NetworkHost:
	case network.NetworkNone:
		net.None = true
	default:
		if strings.HasPrefix(mode, "container:") {
			return net, invalid("network mode %s is not supported for a build: name a network, host, bridge or none", mode)
		}
		n, err := c.findNetwork(ctx, mode)
		if err != nil {
			return net, err
		}
		// The names a container on n would resolve (see peers).
		probe := &containerRecord{Networks: map[string]*network.EndpointSettings{n.Name: {}}}
		if net.Peers, err = c.peers(ctx, probe); err != nil {
			return net, err
		}
	}
	return net, nil
}
