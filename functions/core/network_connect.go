package core

import (
	"context"
	"net/http"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// Connecting a container records the membership and its endpoint
// (endpoints.go). The sandbox gives
// containers the host's network, so membership has no packet-level
// effect in local mode; cloud backends map it to their own networking.

func (c *Core) networkConnect(ctx context.Context, in call.Call) (call.Reply, error) {
	var req network.ConnectRequest
	if err := decodeBody(in, &req, false); err != nil {
		return call.Reply{}, err
	}
	n, err := c.findNetwork(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	rec, _, err := c.findContainer(ctx, req.Container)
	if err != nil {
		return call.Reply{}, err
	}
	settings := req.EndpointConfig
	if settings == nil {
		settings = &network.EndpointSettings{}
	}
	// A running container joins at once; others get their endpoint at start.
	if rec.running() {
		if _, ok := rec.Networks[n.Name]; !ok {
			if err := c.attach(ctx, rec, n, settings); err != nil {
				return call.Reply{}, err
			}
		}
	}
	if _, err := c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		if _, ok := r.Networks[n.Name]; ok {
			return errorf(http.StatusForbidden, "endpoint with name %s already exists in network %s", r.shortName(), n.Name)
		}
		if r.Networks == nil {
			r.Networks = map[string]*network.EndpointSettings{}
		}
		r.Networks[n.Name] = settings
		return nil
	}); err != nil {
		c.detach(ctx, rec.ID, settings)
		return call.Reply{}, err
	}
	c.emit(ctx, events.NetworkEventType, events.ActionConnect, n.ID, map[string]string{"name": n.Name, "type": n.Driver, "container": rec.ID})
	return call.Reply{Status: http.StatusOK}, nil
}

func (c *Core) networkDisconnect(ctx context.Context, in call.Call) (call.Reply, error) {
	var req network.DisconnectRequest
	if err := decodeBody(in, &req, false); err != nil {
		return call.Reply{}, err
	}
	n, err := c.findNetwork(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	rec, _, err := c.findContainer(ctx, req.Container)
	if err != nil {
		return call.Reply{}, err
	}
	var left *network.EndpointSettings
	if _, err := c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		if _, ok := r.Networks[n.Name]; !ok {
			return errorf(http.StatusForbidden, "container %s is not connected to network %s", r.ID, n.Name)
		}
		left = r.Networks[n.Name]
		delete(r.Networks, n.Name)
		return nil
	}); err != nil {
		return call.Reply{}, err
	}
	c.detach(ctx, rec.ID, left)
	c.emit(ctx, events.NetworkEventType, events.ActionDisconnect, n.ID, map[string]string{"name": n.Name, "type": n.Driver, "container": rec.ID})
	return call.Reply{Status: http.StatusOK}, nil
}

// checkNetworks refuses a create naming a network that does not exist.
func (c *Core) checkNetworks(ctx context.Context, nets map[string]*network.EndpointSettings) error {
	for name := range nets {
		if _, err := c.findNetwork(ctx, name); err != nil {
			return err
		}
	}
	return nil
}
