//go:build linux && cgo

package native

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/sockerless/sockerless/functions/core"
)

// bridges are the driver's bridge networks, as dockerd makes them: one
// Linux bridge per Docker network holding the network's gateway
// address, and a veth pair per container endpoint, one end on the
// bridge, the other the container's ethN with its address, MAC and a
// default route through the gateway.
//
// They live in a network namespace of the driver's own rather than the
// host's: every local mode (and dockerd) on a machine hands out the same
// subnets (172.17.0.0/16 first), so bridges in the host's namespace
// would collide. Only this process holds that namespace (an open file,
// no mount), so it and everything in it go when the process does, also
// when it is killed. A namespace does not forward between its
// interfaces unless told to, so networks are isolated from each other.
type bridges struct {
	mu    sync.Mutex
	ns    netns.NsHandle // the bridges' namespace, made at first use
	h     *netlink.Handle
	users map[string]int // bridge name → endpoints on it
}

// bridgeName is network ep's bridge, named as dockerd names them.
func bridgeName(ep core.Endpoint) string {
	if ep.Network == "bridge" {
		return "docker0"
	}
	return "br-" + shortID(ep.NetworkID)
}

// newNetNS makes a network namespace and returns a handle on it, after
// running setup (if any) in it. The thread that made it is left in it
// and ends with its goroutine, so no other goroutine ever runs there.
func newNetNS(setup func() error) (netns.NsHandle, error) {
	type made struct {
		ns  netns.NsHandle
		err error
	}
	ch := make(chan made, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		ns, err := netns.New()
		if err == nil && setup != nil {
			if err = setup(); err != nil {
				ns.Close()
			}
		}
		ch <- made{ns, err}
	}()
	m := <-ch
	if m.err != nil {
		return netns.None(), fmt.Errorf("make a network namespace: %w", m.err)
	}
	return m.ns, nil
}

// handle is the netlink handle in the bridges' namespace, made on first
// use. Callers hold b.mu.
func (b *bridges) handle() (*netlink.Handle, error) {
	if b.h != nil {
		return b.h, nil
	}
	ns, err := newNetNS(noForwarding)
	if err != nil {
		return nil, err
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		return nil, err
	}
	if lo, err := h.LinkByName("lo"); err == nil {
		_ = h.LinkSetUp(lo)
	}
	b.ns, b.h, b.users = ns, h, map[string]int{}
	return h, nil
}

// bridge returns ep's bridge, making it with the gateway's address and
// counting one more endpoint on it. Callers hold b.mu.
func (b *bridges) bridge(h *netlink.Handle, ep core.Endpoint) (netlink.Link, error) {
	name := bridgeName(ep)
	if l, err := h.LinkByName(name); err == nil {
		b.users[name]++
		return l, nil
	}
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}
	if err := h.LinkAdd(br); err != nil {
		return nil, fmt.Errorf("add bridge %s: %w", name, err)
	}
	gw := &netlink.Addr{IPNet: &net.IPNet{IP: ep.Gateway.AsSlice(), Mask: net.CIDRMask(ep.Address.Bits(), 32)}}
	if err := h.AddrAdd(br, gw); err != nil {
		_ = h.LinkDel(br)
		return nil, fmt.Errorf("address %s on bridge %s: %w", gw, name, err)
	}
	if err := h.LinkSetUp(br); err != nil {
		_ = h.LinkDel(br)
		return nil, err
	}
	b.users[name]++
	return br, nil
}

// release counts one endpoint fewer on bridge name, and deletes the
// bridge when none is left. Callers hold b.mu.
func (b *bridges) release(name string) error {
	b.users[name]--
	if b.users[name] > 0 {
		return nil
	}
	delete(b.users, name)
	l, err := b.h.LinkByName(name)
	if err != nil {
		return nil // already gone
	}
	return b.h.LinkDel(l)
}

// attachment is what attach made for one container: the host ends of
// its veth pairs and their bridges, for detach.
type attachment struct {
	veths, bridges []string
}

// attach wires eps into the container namespace target: a veth pair
// per endpoint (ethN inside, in eps' order), loopback up, and a default
// route through the first endpoint's gateway.
func (b *bridges) attach(target netns.NsHandle, eps []core.Endpoint) (*attachment, error) {
	in, err := netlink.NewHandleAt(target)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if lo, err := in.LinkByName("lo"); err == nil {
		if err := in.LinkSetUp(lo); err != nil {
			return nil, err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	at := &attachment{}
	for i, ep := range eps {
		if err := b.attachOne(in, target, at, i, ep); err != nil {
			return nil, errors.Join(err, b.detachLocked(at))
		}
	}
	return at, nil
}

func (b *bridges) attachOne(in *netlink.Handle, target netns.NsHandle, at *attachment, i int, ep core.Endpoint) error {
	if !ep.Address.Addr().Is4() || !ep.Gateway.Is4() {
		return fmt.Errorf("network %s: endpoint %s has no IPv4 address and gateway", ep.Network, ep.Address)
	}
	h, err := b.handle()
	if err != nil {
		return err
	}
	br, err := b.bridge(h, ep)
	if err != nil {
		return err
	}
	at.bridges = append(at.bridges, br.Attrs().Name)
	host, err := vethName()
	if err != nil {
		return err
	}
	inside := fmt.Sprintf("eth%d", i)
	veth := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: host, MasterIndex: br.Attrs().Index},
		PeerName:  inside, PeerHardwareAddr: ep.MAC, PeerNamespace: netlink.NsFd(target),
	}
	if err := h.LinkAdd(veth); err != nil {
		return fmt.Errorf("add veth pair for network %s: %w", ep.Network, err)
	}
	at.veths = append(at.veths, host)
	if err := h.LinkSetUp(veth); err != nil {
		return err
	}
	eth, err := in.LinkByName(inside)
	if err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: ep.Address.Addr().AsSlice(), Mask: net.CIDRMask(ep.Address.Bits(), 32)}}
	if err := in.AddrAdd(eth, addr); err != nil {
		return fmt.Errorf("address %s on %s: %w", addr, inside, err)
	}
	if err := in.LinkSetUp(eth); err != nil {
		return err
	}
	if i == 0 {
		route := &netlink.Route{LinkIndex: eth.Attrs().Index, Gw: ep.Gateway.AsSlice()}
		if err := in.RouteAdd(route); err != nil {
			return fmt.Errorf("default route via %s: %w", ep.Gateway, err)
		}
	}
	return nil
}

// detach deletes the host ends of at's veth pairs (which takes their
// container ends with them) and the bridges no endpoint uses any more.
func (b *bridges) detach(at *attachment) error {
	if at == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.detachLocked(at)
}

func (b *bridges) detachLocked(at *attachment) error {
	var errs []error
	for _, name := range at.veths {
		if l, err := b.h.LinkByName(name); err == nil {
			errs = append(errs, b.h.LinkDel(l))
		}
	}
	for _, name := range at.bridges {
		errs = append(errs, b.release(name))
	}
	at.veths, at.bridges = nil, nil
	return errors.Join(errs...)
}

// close deletes every bridge and veth by letting go of their namespace.
func (b *bridges) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.h == nil {
		return nil
	}
	b.h.Close()
	err := b.ns.Close()
	b.h, b.ns, b.users = nil, netns.None(), nil
	return err
}

// noForwarding turns IPv4 forwarding off in the calling thread's
// network namespace, which a new one inherits from the host's: the
// bridges' namespace routes nothing between networks.
func noForwarding() error {
	return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0\n"), 0)
}

// vethName is a host end's name as dockerd makes them: "veth" and seven
// random hex digits.
func vethName() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "veth" + hex.EncodeToString(b[:])[:7], nil
}
