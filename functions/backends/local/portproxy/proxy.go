// Package portproxy publishes container ports on the host for the local
// runtimes, as docker-proxy does for dockerd: a listener on each
// published host address whose connections (TCP) or datagrams (UDP) it
// forwards to the container's port, reached through a Dialer the runtime
// gives (loopback where containers share the host's network, the
// container's network namespace where it has its own).
package portproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"github.com/sockerless/sockerless/functions/core"
)

// Dialer reaches port of container id over network ("tcp" or "udp").
type Dialer func(ctx context.Context, id, network string, port uint16) (net.Conn, error)

// Proxy implements core.Publisher.
type Proxy struct {
	dial Dialer
	// direct says a binding needs no forwarder: the container's own
	// socket is already listening on the host address.
	direct func(core.Workload, core.PortBinding) bool

	mu   sync.Mutex
	byID map[string][]io.Closer
}

// New returns a Proxy that reaches containers through dial; direct, if
// not nil, names the bindings the container serves itself.
func New(dial Dialer, direct func(core.Workload, core.PortBinding) bool) *Proxy {
	return &Proxy{dial: dial, direct: direct, byID: map[string][]io.Closer{}}
}

// Loopback reaches a container that shares the host's network at its
// port on loopback, IPv4 first.
func Loopback(ctx context.Context, _ string, network string, port uint16) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		if c6, err6 := d.DialContext(ctx, network, fmt.Sprintf("[::1]:%d", port)); err6 == nil {
			return c6, nil
		}
	}
	return c, err
}

// HostNetwork is the Proxy of a runtime whose containers share the
// host's network: it reaches them at loopback, and a host port equal to
// the container port is the container's own listener, which a forwarder
// there could only collide with.
func HostNetwork() *Proxy {
	return New(Loopback, SamePort)
}

// SamePort says a host port is the container port: where the container
// shares the host's network, its own listener is the published one.
func SamePort(_ core.Workload, b core.PortBinding) bool {
	return b.HostPort == b.ContainerPort
}

// Publish listens on every binding of w, all or nothing.
func (p *Proxy) Publish(ctx context.Context, w core.Workload, ports []core.PortBinding) error {
	id := w.ID
	var opened []io.Closer
	for _, b := range ports {
		if p.direct != nil && p.direct(w, b) {
			continue
		}
		c, err := p.listen(ctx, id, b)
		if err != nil {
			for _, o := range opened {
				o.Close()
			}
			return err
		}
		opened = append(opened, c)
	}
	p.mu.Lock()
	p.byID[id] = append(p.byID[id], opened...)
	p.mu.Unlock()
	return nil
}

// Unpublish closes id's listeners; connections already forwarded go on
// until either side closes them or the container ends.
func (p *Proxy) Unpublish(_ context.Context, id string) error {
	p.mu.Lock()
	opened := p.byID[id]
	delete(p.byID, id)
	p.mu.Unlock()
	for _, c := range opened {
		c.Close()
	}
	return nil
}

// Close unpublishes everything.
func (p *Proxy) Close() {
	p.mu.Lock()
	ids := make([]string, 0, len(p.byID))
	for id := range p.byID {
		ids = append(ids, id)
	}
	p.mu.Unlock()
	for _, id := range ids {
		p.Unpublish(context.Background(), id)
	}
}

func (p *Proxy) listen(ctx context.Context, id string, b core.PortBinding) (io.Closer, error) {
	family := "6"
	if netip.MustParseAddr(b.HostIP).Is4() {
		family = "4"
	}
	var lc net.ListenConfig
	switch b.Proto {
	case "tcp":
		ln, err := lc.Listen(ctx, "tcp"+family, b.HostAddr())
		if err != nil {
			return nil, bindError(b, err)
		}
		go p.serveTCP(id, b, ln)
		return ln, nil
	case "udp":
		pc, err := lc.ListenPacket(ctx, "udp"+family, b.HostAddr())
		if err != nil {
			return nil, bindError(b, err)
		}
		go p.serveUDP(id, b, pc)
		return pc, nil
	}
	return nil, fmt.Errorf("publishing %s ports is not supported by this runtime", b.Proto)
}

// bindError marks a host port another program holds, which core draws
// again when it chose the port itself.
func bindError(b core.PortBinding, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return &core.PortInUseError{Binding: b, Err: err}
	}
	return err
}

// serveTCP forwards each connection to the container's port; one the
// container does not answer is closed, as docker-proxy does.
func (p *Proxy) serveTCP(id string, b core.PortBinding, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := p.dial(context.Background(), id, "tcp", b.ContainerPort)
			if err != nil {
				return
			}
			defer up.Close()
			splice(c, up)
		}()
	}
}

// splice copies both ways; each side's end reaches the other as a
// half-close, so a request/response over one connection works.
func splice(a, b net.Conn) {
	var wg sync.WaitGroup
	half := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go half(a, b)
	go half(b, a)
	wg.Wait()
}
