package core

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// Publisher is what a backend that publishes container ports on its host
// offers (docker run -p, -P). Core allocates the host ports; the driver
// listens on them and forwards to the container's ports. Without it,
// publishing is refused when the container is created.
type Publisher interface {
	// Publish listens on every binding's host address before workload
	// w starts. It publishes all or nothing: on failure nothing stays
	// bound, and a host port another program holds is reported as a
	// *PortInUseError.
	Publish(ctx context.Context, w Workload, ports []PortBinding) error
	// Unpublish closes what Publish opened for id; unknown ids are fine.
	Unpublish(ctx context.Context, id string) error
}

// PortBinding is one published port: the host address a driver listens
// on and the container port it forwards to.
type PortBinding struct {
	Proto         string // "tcp", "udp" or "sctp"
	ContainerPort uint16
	HostIP        string // "0.0.0.0", "::" or an address the user named
	HostPort      uint16
}

// HostAddr is the binding's host address as net.Listen takes it.
func (b PortBinding) HostAddr() string {
	return netip.AddrPortFrom(netip.MustParseAddr(b.HostIP), b.HostPort).String()
}

// PortInUseError is a host port some other program holds.
type PortInUseError struct {
	Binding PortBinding
	Err     error
}

func (e *PortInUseError) Error() string { return e.Err.Error() }
func (e *PortInUseError) Unwrap() error { return e.Err }

// ephemeralPorts is where dockerd draws a host port when none is given:
// Linux's default ip_local_port_range.
const ephemeralFirst, ephemeralLast = 32768, 60999

// portRequest is one published port as asked: a host port range
// (0, 0 for any ephemeral port) on one host address.
type portRequest struct {
	proto         string
	containerPort uint16
	hostIP        netip.Addr
	first, last   uint16
}

// validatePorts checks the port bindings at create, with dockerd's words,
// and refuses them on a backend that cannot publish.
func (c *Core) validatePorts(hc *container.HostConfig) error {
	if len(hc.PortBindings) == 0 && !hc.PublishAllPorts {
		return nil
	}
	if hc.NetworkMode.IsContainer() {
		return invalid("conflicting options: port publishing and the container type network mode")
	}
	if hc.NetworkMode.IsHost() || hc.NetworkMode.IsNone() {
		return nil // dockerd discards them there
	}
	for p, bs := range hc.PortBindings {
		for _, b := range bs {
			if _, _, err := hostPortRange(b.HostPort); err != nil {
				return invalid("invalid port specification: %q", b.HostPort)
			}
		}
		if p.Proto() != network.TCP && p.Proto() != network.UDP && p.Proto() != network.SCTP {
			return invalid("invalid proto: %s", p.Proto())
		}
	}
	if _, ok := c.cfg.Compute.(Publisher); !ok {
		return errorf(http.StatusNotImplemented, "publishing ports is not supported by the %s backend: its containers cannot be reached from the host", c.cfg.Backend)
	}
	return nil
}

// portKeyError is dockerd's answer to a port key (in PortBindings or
// ExposedPorts) that is not a port, which moby's types refuse to decode;
// nil when every key parses.
func portKeyError(body []byte) error {
	var req struct {
		ExposedPorts map[string]json.RawMessage
		HostConfig   *struct{ PortBindings map[string]json.RawMessage }
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	keys := slices.Collect(maps.Keys(req.ExposedPorts))
	if req.HostConfig != nil {
		keys = append(keys, slices.Collect(maps.Keys(req.HostConfig.PortBindings))...)
	}
	for _, k := range keys {
		if _, err := network.ParsePort(k); err != nil {
			port, _, _ := strings.Cut(k, "/")
			return invalid("invalid port specification: %q", port)
		}
	}
	return nil
}

// hostPortRange parses a binding's HostPort: "", "8080" or "8000-8010".
func hostPortRange(s string) (first, last uint16, err error) {
	if s == "" {
		return 0, 0, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		return 0, 0, err
	}
	b := a
	if isRange {
		if b, err = strconv.ParseUint(hi, 10, 16); err != nil {
			return 0, 0, err
		}
	}
	if b < a {
		return 0, 0, strconv.ErrRange
	}
	return uint16(a), uint16(b), nil
}

// portRequests is what a container publishes, as dockerd reads it: its
// PortBindings, and with PublishAllPorts every exposed port not bound
// already, on an ephemeral port. A binding without a host address is
// published on 0.0.0.0 and [::], on the same port.
func portRequests(rec *containerRecord) []portRequest {
	hc := rec.HostConfig
	if hc.NetworkMode.IsHost() || hc.NetworkMode.IsNone() || hc.NetworkMode.IsContainer() {
		return nil
	}
	bindings := network.PortMap{}
	for p, bs := range hc.PortBindings {
		bindings[p] = bs
	}
	if hc.PublishAllPorts {
		for p := range rec.Config.ExposedPorts {
			if len(bindings[p]) == 0 {
				bindings[p] = []network.PortBinding{{}}
			}
		}
	}
	var out []portRequest
	for _, p := range sortedPorts(bindings) {
		bs := bindings[p]
		if len(bs) == 0 {
			bs = []network.PortBinding{{}}
		}
		for _, b := range bs {
			first, last, _ := hostPortRange(b.HostPort) // validated at create
			ips := []netip.Addr{b.HostIP}
			if !b.HostIP.IsValid() {
				ips = []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}
			}
			for _, ip := range ips {
				out = append(out, portRequest{proto: string(p.Proto()), containerPort: p.Num(), hostIP: ip, first: first, last: last})
			}
		}
	}
	return out
}

func sortedPorts[V any](m map[network.Port]V) []network.Port {
	ps := make([]network.Port, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b network.Port) int {
		if a.Num() != b.Num() {
			return int(a.Num()) - int(b.Num())
		}
		return strings.Compare(string(a.Proto()), string(b.Proto()))
	})
	return ps
}

// portMap is NetworkSettings.Ports as dockerd shows it: for a running
// container every exposed port, with its bindings or null; for one that
// is not running, nothing.
func portMap(rec *containerRecord) network.PortMap {
	out := network.PortMap{}
	if !rec.running() {
		return out
	}
	for p := range rec.Config.ExposedPorts {
		out[p] = nil
	}
	for _, b := range rec.Published {
		p, ok := network.PortFrom(b.ContainerPort, network.IPProtocol(b.Proto))
		if !ok {
			continue
		}
		out[p] = append(out[p], network.PortBinding{HostIP: netip.MustParseAddr(b.HostIP), HostPort: strconv.Itoa(int(b.HostPort))})
	}
	return out
}

// portSummaries is a container list entry's Ports, from the same map.
func portSummaries(rec *containerRecord) []container.PortSummary {
	out := []container.PortSummary{}
	pm := portMap(rec)
	for _, p := range sortedPorts(pm) {
		if len(pm[p]) == 0 {
			out = append(out, container.PortSummary{PrivatePort: p.Num(), Type: string(p.Proto())})
			continue
		}
		for _, b := range pm[p] {
			hp, _ := strconv.ParseUint(b.HostPort, 10, 16)
			out = append(out, container.PortSummary{IP: b.HostIP, PrivatePort: p.Num(), PublicPort: uint16(hp), Type: string(p.Proto())})
		}
	}
	return out
}
