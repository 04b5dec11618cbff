//go:build linux && cgo

package native

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/sockerless/sockerless/functions/backends/local/portproxy"
	"github.com/sockerless/sockerless/functions/core"
)

// Published ports: a host listener forwards each connection into the
// container's network namespace, where it dials the container port on
// loopback (docker-proxy's job, with a socket made inside the container's
// namespace instead of a route to it). A container on the host's network
// serves a host port equal to its container port itself.

// proxies holds each Driver's forwarders (the Driver's own fields are
// the runtime's).
var proxies sync.Map // *Driver → *portproxy.Proxy

func (d *Driver) portProxy() *portproxy.Proxy {
	if p, ok := proxies.Load(d); ok {
		return p.(*portproxy.Proxy)
	}
	p, _ := proxies.LoadOrStore(d, portproxy.New(d.dialContainer, d.servesItself))
	return p.(*portproxy.Proxy)
}

// Publish implements core.Publisher (shadowing the sandbox's, which
// reaches containers on the host's loopback).
func (d *Driver) Publish(ctx context.Context, w core.Workload, ports []core.PortBinding) error {
	return d.portProxy().Publish(ctx, w, ports)
}

// Unpublish implements core.Publisher.
func (d *Driver) Unpublish(ctx context.Context, id string) error {
	return d.portProxy().Unpublish(ctx, id)
}

// servesItself: on the host's network, the container's own listener is a
// host port equal to its container port.
func (d *Driver) servesItself(w core.Workload, b core.PortBinding) bool {
	mode, _ := networkOf(w.NetworkMode)
	return mode == netHost && portproxy.SamePort(w, b)
}

// dialContainer connects to port on the loopback of container id's
// network namespace.
func (d *Driver) dialContainer(ctx context.Context, id, network string, port uint16) (net.Conn, error) {
	wl, st, err := d.live(id)
	if err != nil {
		return nil, err
	}
	if wl.net != nil && wl.net.holder != nil {
		return wl.net.holder.Dial(network, fmt.Sprintf("127.0.0.1:%d", port))
	}
	if st.Pid == 0 {
		return nil, fmt.Errorf("container %s is not running", id)
	}
	return dialInNetns(ctx, fmt.Sprintf("/proc/%d/ns/net", st.Pid), network, fmt.Sprintf("127.0.0.1:%d", port))
}

// dialInNetns makes the socket inside the network namespace at nsPath:
// on a locked thread switched into it and back. A thread that cannot
// switch back is not unlocked, so Go ends it with the goroutine.
func dialInNetns(ctx context.Context, nsPath, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		home, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{err: err}
			return
		}
		defer unix.Close(home)
		target, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{err: err}
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- result{err: err}
			return
		}
		var dl net.Dialer
		c, err := dl.DialContext(ctx, network, addr)
		if unix.Setns(home, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- result{c, err}
	}()
	r := <-done
	if r.err != nil && errors.Is(r.err, unix.ENOENT) {
		return nil, fmt.Errorf("container network namespace is gone: %w", r.err)
	}
	return r.c, r.err
}
