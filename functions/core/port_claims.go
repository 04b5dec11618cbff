package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"

	"github.com/sockerless/sockerless/functions/state"
)

// keyHostPort holds who has which host port: proto/port → host address →
// container id. One record per port makes a claim one conditional write,
// which also sees a wildcard address and a specific one of its family
// that would collide.
const keyHostPort = "host-port/"

// publishAttempts bounds how often an ephemeral port another program
// turned out to hold is drawn again.
const publishAttempts = 8

// publish allocates rec's host ports and has the driver listen on them.
// A port core allocated but the host refused (another program has it) is
// skipped and the allocation drawn again, as dockerd's allocator does.
func (c *Core) publish(ctx context.Context, rec *containerRecord, w Workload) ([]PortBinding, error) {
	reqs := portRequests(rec)
	if len(reqs) == 0 {
		return nil, nil
	}
	pub, ok := c.cfg.Compute.(Publisher)
	if !ok {
		return nil, errorf(http.StatusNotImplemented, "publishing ports is not supported by the %s backend", c.cfg.Backend)
	}
	avoid := map[uint16]bool{}
	for attempt := 1; ; attempt++ {
		bindings, err := c.allocatePorts(ctx, rec, reqs, avoid)
		if err != nil {
			return nil, err
		}
		err = pub.Publish(ctx, w, bindings)
		if err == nil {
			return bindings, nil
		}
		c.releaseClaims(ctx, rec.ID, bindings)
		var inUse *PortInUseError
		if errors.As(err, &inUse) && attempt < publishAttempts && ephemeralFor(reqs, inUse.Binding) {
			avoid[inUse.Binding.HostPort] = true
			continue
		}
		if errors.As(err, &inUse) {
			return nil, c.connectivityError(rec, fmt.Sprintf("Error starting userland proxy: %v", err))
		}
		return nil, c.connectivityError(rec, err.Error())
	}
}

// ephemeralFor says whether core drew b's host port itself.
func ephemeralFor(reqs []portRequest, b PortBinding) bool {
	for _, r := range reqs {
		if r.proto == b.Proto && r.containerPort == b.ContainerPort && r.first == 0 {
			return true
		}
	}
	return false
}

// connectivityError is dockerd's failed start for a port it could not
// publish.
func (c *Core) connectivityError(rec *containerRecord, why string) error {
	ep := rec.ID
	for _, s := range rec.Networks {
		if s != nil && s.EndpointID != "" {
			ep = s.EndpointID
		}
	}
	return errorf(http.StatusInternalServerError, "failed to set up container networking: driver failed programming external connectivity on endpoint %s (%s): %s", rec.shortName(), ep, why)
}

// allocatePorts claims a host port for every request: the one asked, the
// first free one of a range, or the first free ephemeral one. A binding
// asked on both 0.0.0.0 and [::] gets the same port on each, as dockerd
// gives it.
func (c *Core) allocatePorts(ctx context.Context, rec *containerRecord, reqs []portRequest, avoid map[uint16]bool) ([]PortBinding, error) {
	var out []PortBinding
	fail := func(err error) ([]PortBinding, error) {
		c.releaseClaims(ctx, rec.ID, out)
		return nil, err
	}
	for i := 0; i < len(reqs); {
		// Requests of one binding (its addresses) come together.
		j := i + 1
		for j < len(reqs) && sameBinding(reqs[i], reqs[j]) {
			j++
		}
		group := reqs[i:j]
		i = j
		first, last := group[0].first, group[0].last
		if first == 0 {
			first, last = ephemeralFirst, ephemeralLast
		}
		got := false
		for p := int(first); p <= int(last) && !got; p++ {
			if group[0].first == 0 && avoid[uint16(p)] {
				continue
			}
			claimed, err := c.claimGroup(ctx, rec.ID, group, uint16(p))
			if err != nil {
				return fail(err)
			}
			if claimed != nil {
				out = append(out, claimed...)
				got = true
			}
		}
		if !got {
			addr := netip.AddrPortFrom(group[0].hostIP, first).String()
			if last != first {
				addr += "-" + strconv.Itoa(int(last))
			}
			return fail(c.connectivityError(rec, fmt.Sprintf("Bind for %s failed: port is already allocated", addr)))
		}
	}
	return out, nil
}

func sameBinding(a, b portRequest) bool {
	return a.proto == b.proto && a.containerPort == b.containerPort && a.first == b.first && a.last == b.last &&
		a.hostIP.IsUnspecified() && b.hostIP.IsUnspecified() && a.hostIP != b.hostIP
}

// claimGroup claims port on every address of group, or none; nil when
// one of them is taken.
func (c *Core) claimGroup(ctx context.Context, id string, group []portRequest, port uint16) ([]PortBinding, error) {
	var done []PortBinding
	for _, r := range group {
		b := PortBinding{Proto: r.proto, ContainerPort: r.containerPort, HostIP: r.hostIP.String(), HostPort: port}
		ok, err := c.claimHostPort(ctx, id, b)
		if err != nil || !ok {
			c.releaseClaims(ctx, id, done)
			return nil, err
		}
		done = append(done, b)
	}
	return done, nil
}

// hostPortHolders is one host port's record: host address → container.
type hostPortHolders map[string]string

func hostPortKey(b PortBinding) string {
	return keyHostPort + b.Proto + "/" + strconv.Itoa(int(b.HostPort))
}

// claimHostPort records b's host address and port as id's, unless a
// running container holds the same address, or one its wildcard covers.
// A claim whose container is gone or no longer runs (a restart or crash
// of the control plane left it) is taken over.
func (c *Core) claimHostPort(ctx context.Context, id string, b PortBinding) (bool, error) {
	ip := netip.MustParseAddr(b.HostIP)
	for range maxRetries {
		holders := hostPortHolders{}
		ver, err := c.getJSON(ctx, hostPortKey(b), &holders)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return false, err
		}
		for addr, owner := range holders {
			if owner == id || !overlaps(ip, netip.MustParseAddr(addr)) {
				continue
			}
			if c.holdsPorts(ctx, owner) {
				return false, nil
			}
			delete(holders, addr)
		}
		holders[b.HostIP] = id
		if _, err := c.putJSON(ctx, hostPortKey(b), holders, ver, 0); errors.Is(err, state.ErrConflict) {
			continue
		} else if err != nil {
			return false, err
		}
		return true, nil
	}
	return false, fmt.Errorf("claim host port %d: too many concurrent writers", b.HostPort)
}

// holdsPorts says whether container id may hold host ports: it runs, or
// cannot be told not to.
func (c *Core) holdsPorts(ctx context.Context, id string) bool {
	rec, _, err := c.findContainer(ctx, id)
	if statusOf(err) == http.StatusNotFound || errors.Is(err, state.ErrNotFound) {
		return false
	}
	if err != nil {
		return true
	}
	rec, err = c.reconcile(ctx, rec)
	return err != nil && statusOf(err) != http.StatusNotFound || err == nil && rec.running()
}

// overlaps says whether listening on a and on b would collide: the same
// address, or a wildcard and an address of its family.
func overlaps(a, b netip.Addr) bool {
	if a.Is4() != b.Is4() {
		return false
	}
	return a == b || a.IsUnspecified() || b.IsUnspecified()
}

// releaseClaims gives back id's claims on bindings.
func (c *Core) releaseClaims(ctx context.Context, id string, bindings []PortBinding) {
	for _, b := range bindings {
		for range maxRetries {
			rec, err := c.store.Get(ctx, hostPortKey(b))
			if err != nil {
				break
			}
			holders := hostPortHolders{}
			if json.Unmarshal(rec.Value, &holders) != nil || holders[b.HostIP] != id {
				break
			}
			delete(holders, b.HostIP)
			if len(holders) == 0 {
				err = c.store.Delete(ctx, rec.Key, rec.Version)
			} else {
				_, err = c.putJSON(ctx, rec.Key, holders, rec.Version, 0)
			}
			if !errors.Is(err, state.ErrConflict) {
				break
			}
		}
	}
}

// unpublish closes a container's published ports and frees them.
func (c *Core) unpublish(ctx context.Context, id string, bindings []PortBinding) {
	if len(bindings) == 0 {
		return
	}
	if pub, ok := c.cfg.Compute.(Publisher); ok {
		_ = pub.Unpublish(ctx, id)
	}
	c.releaseClaims(ctx, id, bindings)
}

// startPublishing publishes rec's ports for its current start and keeps
// them on the record, where inspect reads them and the exit frees them.
func (c *Core) startPublishing(ctx context.Context, rec *containerRecord, w Workload) error {
	bindings, err := c.publish(ctx, rec, w)
	if err != nil || len(bindings) == 0 {
		return err
	}
	starts := rec.Starts
	kept := false
	_, err = c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		if r.Starts != starts || !r.running() {
			return errSkipWrite
		}
		r.Published, kept = bindings, true
		return nil
	})
	if err != nil || !kept {
		c.unpublish(ctx, rec.ID, bindings)
	}
	if err == nil && !kept {
		err = conflict("container %s stopped while it started", rec.ID[:12])
	}
	return err
}
