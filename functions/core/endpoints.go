package core

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/state"
)

// Endpoints: a container on a network gets the network's ID, an endpoint
// ID and, on a bridge network, an address from the network's subnet, as
// dockerd gives them (compose recreates a container whose NetworkID does
// not name its network). Each allocated fact is its own key, written
// with a create-only Put, so two function instances never hand out the
// same one; an address whose container is gone (a crash between its
// writes) is reclaimed by the next allocation.
const (
	keyNetworkIP     = "network-ip/"     // network id/address → container id
	keyNetworkSubnet = "network-subnet/" // subnet → network id
)

// The default bridge's subnet, and the pool dockerd carves user
// networks from: 172.17-31.0.0/16, then 192.168.0-240.0/20.
var defaultBridgeSubnet = netip.MustParsePrefix("172.17.0.0/16")

func subnetPool() []netip.Prefix {
	var out []netip.Prefix
	for b := 18; b <= 31; b++ {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for b := 0; b <= 240; b += 16 {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(b), 0}), 20))
	}
	return out
}

// bridgeIPAM is the IPAM config of a subnet with its first address as
// the gateway.
func bridgeIPAM(subnet netip.Prefix) []network.IPAMConfig {
	return []network.IPAMConfig{{Subnet: subnet, Gateway: subnet.Addr().Next()}}
}

// allocSubnet reserves the first free subnet of the pool for network id.
func (c *Core) allocSubnet(ctx context.Context, id string) ([]network.IPAMConfig, error) {
	for _, p := range subnetPool() {
		// A holder whose record is missing may be a create in flight, so
		// a subnet is never reclaimed: a crash between the two writes
		// costs one subnet of the pool.
		ok, err := c.claim(ctx, keyNetworkSubnet+p.String(), id, func(string) bool { return false })
		if err != nil {
			return nil, err
		}
		if ok {
			return bridgeIPAM(p), nil
		}
	}
	return nil, errorf(http.StatusForbidden, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
}

// releaseSubnets frees the subnets network n holds.
func (c *Core) releaseSubnets(ctx context.Context, n *network.Inspect) {
	for _, cfg := range n.IPAM.Config {
		c.release(ctx, keyNetworkSubnet+cfg.Subnet.String(), n.ID)
	}
}

// subnetOf is the IPv4 subnet and gateway containers on n take
// addresses from; ok is false for a network without one (host, none).
func subnetOf(n *network.Inspect) (netip.Prefix, netip.Addr, bool) {
	if n.Driver != "bridge" {
		return netip.Prefix{}, netip.Addr{}, false
	}
	for _, cfg := range n.IPAM.Config {
		if cfg.Subnet.IsValid() && cfg.Subnet.Addr().Is4() {
			gw := cfg.Gateway
			if !gw.IsValid() {
				gw = cfg.Subnet.Masked().Addr().Next()
			}
			return cfg.Subnet.Masked(), gw, true
		}
	}
	if n.Name == network.NetworkBridge {
		return defaultBridgeSubnet, defaultBridgeSubnet.Addr().Next(), true
	}
	return netip.Prefix{}, netip.Addr{}, false
}

// attach fills ep with container rec's endpoint on n, allocating its
// address. A container that already has one keeps it.
func (c *Core) attach(ctx context.Context, rec *containerRecord, n *network.Inspect, ep *network.EndpointSettings) error {
	id := rec.ID
	ep.NetworkID = n.ID
	if resolvesNames(n) {
		ep.DNSNames = dnsNames(rec, ep)
	}
	if ep.EndpointID == "" {
		ep.EndpointID = newID()
	}
	subnet, gw, ok := subnetOf(n)
	if !ok || ep.IPAddress.IsValid() {
		return nil
	}
	ip, err := c.allocIP(ctx, id, n.ID, subnet, gw, ep)
	if err != nil {
		return err
	}
	ep.IPAddress, ep.Gateway, ep.IPPrefixLen = ip, gw, subnet.Bits()
	if len(ep.MacAddress) == 0 { // else the one asked for (--mac-address)
		ep.MacAddress = macOf(ip)
	}
	return nil
}

// allocIP reserves the address the endpoint asks for, or the first free
// one of subnet.
func (c *Core) allocIP(ctx context.Context, id, netID string, subnet netip.Prefix, gw netip.Addr, ep *network.EndpointSettings) (netip.Addr, error) {
	gone := func(owner string) bool {
		_, err := c.store.Get(ctx, keyContainer+owner)
		return errors.Is(err, state.ErrNotFound)
	}
	prefix := keyNetworkIP + netID + "/"
	if ep.IPAMConfig != nil && ep.IPAMConfig.IPv4Address.IsValid() {
		want := ep.IPAMConfig.IPv4Address
		if !subnet.Contains(want) {
			return netip.Addr{}, invalid("invalid endpoint settings: no configured subnet contains IP address %s", want)
		}
		ok, err := c.claim(ctx, prefix+want.String(), id, gone)
		if err != nil {
			return netip.Addr{}, err
		}
		if !ok {
			return netip.Addr{}, errorf(http.StatusForbidden, "Address already in use")
		}
		return want, nil
	}
	used := map[string]bool{}
	if recs, _, err := c.store.List(ctx, prefix, "", 0); err == nil {
		for _, r := range recs {
			if string(r.Value) != id {
				used[strings.TrimPrefix(r.Key, prefix)] = true
			}
		}
	}
	for ip := subnet.Addr().Next(); subnet.Contains(ip); ip = ip.Next() {
		if ip == gw || used[ip.String()] || !subnet.Contains(ip.Next()) { // the last is broadcast
			continue
		}
		ok, err := c.claim(ctx, prefix+ip.String(), id, gone)
		if err != nil {
			return netip.Addr{}, err
		}
		if ok {
			return ip, nil
		}
	}
	return netip.Addr{}, errorf(http.StatusServiceUnavailable, "no available IPv4 addresses on network %s", netID)
}

// claim writes key → owner if no one holds it. It succeeds when owner
// already holds it (a retried call), and reclaims a key whose holder
// stale says is gone.
func (c *Core) claim(ctx context.Context, key, owner string, stale func(string) bool) (bool, error) {
	for range maxRetries {
		_, err := c.store.Put(ctx, key, []byte(owner), 0, 0)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, state.ErrConflict) {
			return false, err
		}
		cur, err := c.store.Get(ctx, key)
		if errors.Is(err, state.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		holder := string(cur.Value)
		if holder == owner {
			return true, nil
		}
		if !stale(holder) {
			return false, nil
		}
		_ = c.store.Delete(ctx, key, cur.Version)
	}
	return false, fmt.Errorf("claim %s: too many concurrent writers", key)
}

// release deletes key if owner still holds it.
func (c *Core) release(ctx context.Context, key, owner string) {
	if r, err := c.store.Get(ctx, key); err == nil && string(r.Value) == owner {
		_ = c.store.Delete(ctx, key, r.Version)
	}
}

// detach frees the address container id holds through ep.
func (c *Core) detach(ctx context.Context, id string, ep *network.EndpointSettings) {
	if ep != nil && ep.NetworkID != "" && ep.IPAddress.IsValid() {
		c.release(ctx, keyNetworkIP+ep.NetworkID+"/"+ep.IPAddress.String(), id)
	}
}

// releaseAddresses frees every address container rec holds on its
// networks: those its endpoints name, and any a start claimed but did
// not get to record (it stopped between the two writes), which only a
// listing of the network's addresses finds.
func (c *Core) releaseAddresses(ctx context.Context, rec *containerRecord) {
	for name, ep := range rec.Networks {
		c.detach(ctx, rec.ID, ep)
		netID := ""
		if ep != nil {
			netID = ep.NetworkID
		}
		if netID == "" {
			n, err := c.findNetwork(ctx, name)
			if err != nil {
				continue
			}
			netID = n.ID
		}
		recs, _, err := c.store.List(ctx, keyNetworkIP+netID+"/", "", 0)
		if err != nil {
			continue
		}
		for _, r := range recs {
			if string(r.Value) == rec.ID {
				_ = c.store.Delete(ctx, r.Key, r.Version)
			}
		}
	}
}

// derivedMAC says whether ep's MAC is the one attach derived from its
// address, not one the container asked for.
func derivedMAC(ep *network.EndpointSettings) bool {
	return ep.IPAddress.Is4() && ep.MacAddress.String() == macOf(ep.IPAddress).String()
}

// macOf derives the MAC from the IPv4 address, as dockerd's bridge does.
func macOf(ip netip.Addr) network.HardwareAddr {
	b := ip.As4()
	return network.HardwareAddr(net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]})
}

// attachAll gives every network of a starting container its endpoint,
// and stores them.
func (c *Core) attachAll(ctx context.Context, rec *containerRecord) error {
	eps := map[string]*network.EndpointSettings{}
	for name, cur := range rec.Networks {
		if cur != nil && cur.EndpointID != "" && cur.IPAddress.IsValid() {
			continue
		}
		n, err := c.findNetwork(ctx, name)
		if err != nil {
			return err
		}
		ep := cur.Copy()
		if ep == nil {
			ep = &network.EndpointSettings{}
		}
		if err := c.attach(ctx, rec, n, ep); err != nil {
			return err
		}
		eps[name] = ep
	}
	if len(eps) == 0 {
		return nil
	}
	_, err := c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		for name, ep := range eps {
			if _, ok := r.Networks[name]; ok {
				r.Networks[name] = ep
			}
		}
		return nil
	})
	if err != nil {
		for _, ep := range eps {
			c.detach(ctx, rec.ID, ep)
		}
	}
	return err
}

// legacyNetworkSettingsOf is legacyNetworkSettings with the default
// bridge's endpoint of a running container, which API versions before
// 1.52 repeat at the top of NetworkSettings.
func legacyNetworkSettingsOf(rec *containerRecord) map[string]any {
	ep := rec.Networks[network.NetworkBridge]
	if !rec.running() || ep == nil || !ep.IPAddress.IsValid() {
		return legacyNetworkSettings
	}
	out := maps.Clone(legacyNetworkSettings)
	out["EndpointID"], out["Gateway"], out["IPAddress"] = ep.EndpointID, ep.Gateway.String(), ep.IPAddress.String()
	out["IPPrefixLen"], out["MacAddress"] = ep.IPPrefixLen, ep.MacAddress.String()
	return out
}

// operational is ep as the API shows it: a container that is not
// running has no endpoint, address or gateway (dockerd clears them at
// stop), only the network it belongs to.
func operational(nets map[string]*network.EndpointSettings, running bool) map[string]*network.EndpointSettings {
	if running || nets == nil {
		return nets
	}
	out := make(map[string]*network.EndpointSettings, len(nets))
	for name, ep := range nets {
		if ep == nil {
			out[name] = ep
			continue
		}
		cp := ep.Copy()
		if derivedMAC(ep) {
			cp.MacAddress = nil // a MAC asked for is configuration, and stays
		}
		cp.EndpointID, cp.Gateway, cp.IPAddress, cp.IPPrefixLen = "", netip.Addr{}, netip.Addr{}, 0
		out[name] = cp
	}
	return out
}

// endpointResource is rec's entry in network inspect's Containers.
func endpointResource(rec *containerRecord, ep *network.EndpointSettings) network.EndpointResource {
	res := network.EndpointResource{Name: rec.shortName()}
	if ep != nil {
		res.EndpointID, res.MacAddress = ep.EndpointID, ep.MacAddress
		if ep.IPAddress.IsValid() {
			res.IPv4Address = netip.PrefixFrom(ep.IPAddress, ep.IPPrefixLen)
		}
	}
	return res
}

// endpointsOf is rec's endpoints that have an address, for its
// workload, in network name order.
func endpointsOf(rec *containerRecord) []Endpoint {
	var out []Endpoint
	for _, name := range slices.Sorted(maps.Keys(rec.Networks)) {
		ep := rec.Networks[name]
		if ep == nil || !ep.IPAddress.IsValid() {
			continue
		}
		out = append(out, Endpoint{
			NetworkID: ep.NetworkID, Network: name,
			Address: netip.PrefixFrom(ep.IPAddress, ep.IPPrefixLen), Gateway: ep.Gateway,
			MAC: net.HardwareAddr(ep.MacAddress), DNSNames: ep.DNSNames, Links: endpointLinks(ep),
		})
	}
	return out
}

// endpointLinks maps the aliases of ep's links to the containers they
// name (Endpoint.Links), or nil.
func endpointLinks(ep *network.EndpointSettings) map[string]string {
	var out map[string]string
	for _, l := range linksOf(ep) {
		child, alias, err := parseLink(l)
		if err != nil {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[strings.ToLower(alias)] = child
	}
	return out
}
