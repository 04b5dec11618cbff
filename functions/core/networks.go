package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

// The networks every engine has. Their ids are derived from the name so
// every function instance agrees on them without coordination.
var predefinedNetworks = []struct{ name, driver string }{
	{"bridge", "bridge"}, {"host", "host"}, {"none", "null"},
}

func predefinedID(name string) string {
	sum := sha256.Sum256([]byte("sockerless-network/" + name))
	return hex.EncodeToString(sum[:])
}

// ensureDefaultNetworks makes sure the predefined networks exist. Many
// calls may run it at once on a fresh store: each writes what it finds
// missing, in the order every writer keeps (record, then name), and
// counts a write someone else already made as done, so every caller
// returns only once both exist, whoever wrote them.
func (c *Core) ensureDefaultNetworks(ctx context.Context) error {
	for _, p := range predefinedNetworks {
		id := predefinedID(p.name)
		if ok, err := networkNames.owns(ctx, c.store, p.name, id); err != nil || ok {
			if err != nil {
				return err
			}
			continue // the name is written last: the record is there
		}
		ipam := network.IPAM{Driver: "default", Config: []network.IPAMConfig{}}
		if p.name == network.NetworkBridge {
			ipam.Config = bridgeIPAM(defaultBridgeSubnet)
		}
		n := network.Inspect{Network: network.Network{
			Name: p.name, ID: id, Created: c.now(), Scope: "local", Driver: p.driver,
			EnableIPv4: p.name == "bridge", IPAM: ipam,
			Options: map[string]string{}, Labels: map[string]string{},
		}, Containers: map[string]network.EndpointResource{}}
		if _, err := c.putJSON(ctx, keyNetwork+id, n, 0, 0); err != nil && !errors.Is(err, state.ErrConflict) {
			return err
		}
		if _, err := networkNames.claim(ctx, c.store, p.name, id); err != nil {
			return fmt.Errorf("predefined network %s: %w", p.name, err)
		}
	}
	return nil
}

// putNetwork writes a new network: its record, then its name. The loser
// of a name race removes its record and gets ErrConflict.
func (c *Core) putNetwork(ctx context.Context, n *network.Inspect) error {
	ver, err := c.putJSON(ctx, keyNetwork+n.ID, n, 0, 0)
	if err != nil {
		return err
	}
	if _, err := networkNames.claim(ctx, c.store, n.Name, n.ID); err != nil {
		_ = c.store.Delete(ctx, keyNetwork+n.ID, ver)
		return err
	}
	return nil
}

// findNetwork resolves a full id, a name, or a unique id prefix. A
// record its name does not point at (a create that is not done or lost)
// is not a network yet.
func (c *Core) findNetwork(ctx context.Context, ref string) (*network.Inspect, error) {
	if err := c.ensureDefaultNetworks(ctx); err != nil {
		return nil, err
	}
	n := new(network.Inspect)
	if _, err := c.getJSON(ctx, keyNetwork+ref, n); err == nil {
		if ok, err := networkNames.owns(ctx, c.store, n.Name, n.ID); ok || err != nil {
			return n, err
		}
	}
	if r, err := networkNames.resolve(ctx, c.store, ref); err == nil {
		if err := json.Unmarshal(r.Value, n); err != nil {
			return nil, fmt.Errorf("corrupt record %s: %w", r.Key, err)
		}
		return n, nil
	} else if !errors.Is(err, state.ErrNotFound) {
		return nil, err
	}
	if isHexPrefix(ref) {
		nets, err := c.networks(ctx, keyNetwork+ref)
		if err != nil {
			return nil, err
		}
		if len(nets) == 1 {
			return &nets[0], nil
		}
	}
	return nil, notFound("network %s not found", ref)
}

// networks lists the networks under prefix whose name points at them.
func (c *Core) networks(ctx context.Context, prefix string) ([]network.Inspect, error) {
	return listNamed(ctx, c, networkNames, prefix, func(n *network.Inspect) (string, string) { return n.Name, n.ID })
}

func (c *Core) networkCreate(ctx context.Context, in call.Call) (call.Reply, error) {
	var req network.CreateRequest
	if err := decodeBody(in, &req, false); err != nil {
		return call.Reply{}, err
	}
	if req.Name == "" {
		return call.Reply{}, invalid("network name is required")
	}
	if err := c.ensureDefaultNetworks(ctx); err != nil {
		return call.Reply{}, err
	}
	if req.Driver == "" {
		req.Driver = "bridge"
	}
	if req.Driver != "bridge" {
		return call.Reply{}, invalid("network driver %q is not supported: only \"bridge\" networks can be created", req.Driver)
	}
	ipam := network.IPAM{Driver: "default", Config: []network.IPAMConfig{}}
	if req.IPAM != nil {
		ipam = *req.IPAM
	}
	id := newID()
	if len(ipam.Config) == 0 {
		cfg, err := c.allocSubnet(ctx, id)
		if err != nil {
			return call.Reply{}, err
		}
		ipam.Config = cfg
	}
	n := network.Inspect{Network: network.Network{
		Name: req.Name, ID: id, Created: c.now(), Scope: "local", Driver: req.Driver,
		// EnableIPv6 is recorded as asked; containers take their
		// addresses from the IPv4 subnet only (see subnetOf).
		EnableIPv4: true, EnableIPv6: req.EnableIPv6 != nil && *req.EnableIPv6,
		IPAM: ipam, Internal: req.Internal, Attachable: req.Attachable,
		Options: orEmpty(req.Options), Labels: orEmpty(req.Labels),
	}, Containers: map[string]network.EndpointResource{}}
	if err := c.putNetwork(ctx, &n); err != nil {
		c.releaseSubnets(ctx, &n)
		if errors.Is(err, state.ErrConflict) {
			return call.Reply{}, conflict("network with name %s already exists", req.Name)
		}
		return call.Reply{}, err
	}
	c.emit(ctx, events.NetworkEventType, events.ActionCreate, n.ID, map[string]string{"name": n.Name, "type": n.Driver})
	return jsonReply(http.StatusCreated, network.CreateResponse{ID: n.ID, Warning: ""}), nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (c *Core) networkInspect(ctx context.Context, in call.Call) (call.Reply, error) {
	n, err := c.findNetwork(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	if err := c.fillEndpoints(ctx, n); err != nil {
		return call.Reply{}, err
	}
	return jsonReply(http.StatusOK, n), nil
}

// fillEndpoints lists the containers attached to n, from the containers.
func (c *Core) fillEndpoints(ctx context.Context, n *network.Inspect) error {
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return err
	}
	n.Containers = map[string]network.EndpointResource{}
	for _, r := range recs {
		if ep, ok := r.Networks[n.Name]; ok && r.running() {
			n.Containers[r.ID] = endpointResource(&r, ep)
		}
	}
	return nil
}

func (c *Core) networkList(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), networkFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	if err := c.ensureDefaultNetworks(ctx); err != nil {
		return call.Reply{}, err
	}
	nets, err := c.networks(ctx, keyNetwork)
	if err != nil {
		return call.Reply{}, err
	}
	out := []network.Summary{}
	for _, n := range nets {
		if !f.any("name", func(v string) bool { return nameMatch(v, n.Name) }) ||
			!f.any("id", func(v string) bool { return strings.HasPrefix(n.ID, v) }) ||
			!f.any("driver", func(v string) bool { return v == n.Driver }) ||
			!f.any("type", func(v string) bool { return (v == "builtin") == isPredefined(n.Name) }) ||
			!f.labels("label", n.Labels) {
			continue
		}
		out = append(out, network.Summary{Network: n.Network})
	}
	return jsonReply(http.StatusOK, out), nil
}

func isPredefined(name string) bool {
	for _, p := range predefinedNetworks {
		if p.name == name {
			return true
		}
	}
	return false
}

func (c *Core) networkRemove(ctx context.Context, in call.Call) (call.Reply, error) {
	n, err := c.findNetwork(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	if isPredefined(n.Name) {
		return call.Reply{}, errorf(http.StatusForbidden, "%s is a pre-defined network and cannot be removed", n.Name)
	}
	if err := c.fillEndpoints(ctx, n); err != nil {
		return call.Reply{}, err
	}
	if len(n.Containers) > 0 {
		return call.Reply{}, errorf(http.StatusForbidden, "error while removing network: network %s id %s has active endpoints", n.Name, n.ID)
	}
	// The record, then the name: a remove that stops half-way leaves a
	// stale name, which the next reader of it removes.
	gone := notFound("network %s not found", in.Var("id"))
	r, err := c.store.Get(ctx, keyNetwork+n.ID)
	if errors.Is(err, state.ErrNotFound) {
		return call.Reply{}, gone // another remove went first
	} else if err != nil {
		return call.Reply{}, err
	}
	if err := c.store.Delete(ctx, keyNetwork+n.ID, r.Version); isLostRace(err) {
		return call.Reply{}, gone
	} else if err != nil {
		return call.Reply{}, err
	}
	if err := networkNames.release(ctx, c.store, n.Name, n.ID); err != nil {
		return call.Reply{}, err
	}
	c.releaseSubnets(ctx, n)
	c.emit(ctx, events.NetworkEventType, events.ActionDestroy, n.ID, map[string]string{"name": n.Name, "type": n.Driver})
	return noContent(), nil
}

func (c *Core) networkPrune(ctx context.Context, in call.Call) (call.Reply, error) {
	if _, err := parseFilters(in.Query.Get("filters"), pruneFilterKeys); err != nil {
		return call.Reply{}, err
	}
	nets, err := c.networks(ctx, keyNetwork)
	if err != nil {
		return call.Reply{}, err
	}
	report := network.PruneReport{NetworksDeleted: []string{}}
	for _, n := range nets {
		if isPredefined(n.Name) {
			continue
		}
		if _, err := c.networkRemove(ctx, call.Call{Vars: map[string]string{"id": n.ID}}); err == nil {
			report.NetworksDeleted = append(report.NetworksDeleted, n.Name)
		}
	}
	return jsonReply(http.StatusOK, report), nil
}
