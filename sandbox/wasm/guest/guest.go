// Package guest gives a Go program built for the sandbox's WASI module
// (GOOS=wasip1) the TCP that Go's wasip1 port lacks: Dial and Listen
// return a net.Conn and a net.Listener backed by the host module
// "sockerless" (sandbox/wasm/hostnet.go documents the calls). Only
// loopback addresses are reachable; the host resolves names and enforces
// that, so this package is a convenience, not the boundary.
//
// Scheduling: on wasip1 every goroutine shares the module's one thread
// and a host call blocks them all. So no call here blocks in the host
// for long: a read, write, accept or connect waits there at most
// pollWait, and when nothing happened it yields (runtime.Gosched) so
// that other goroutines and timers run, then asks again. An idle
// connection thus costs a host call every pollWait, and a goroutine is
// at most pollWait late per waiting goroutine. Close, deadlines and
// context cancellation take effect between those waits. A WASI read of
// the module's stdin is the exception this package cannot change: it
// blocks the whole module until input arrives or ends, so a program
// copying stdin to a connection (nc) serves the connection while stdin
// has data or after it has ended, not while it waits on an idle stdin.
//
// Built for any other platform, Dial and Listen return an error saying
// so (errors.Is(err, errors.ErrUnsupported)).
package guest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"time"
)

// ErrNotLoopback is what a destination other than loopback reports, for
// a name after it resolved.
var ErrNotLoopback = errors.New("only loopback addresses (127.0.0.0/8, ::1) are reachable from the sandbox")

// MaxHandles is how many connections and listeners a process may hold
// at once (the host's limit); one more fails with syscall.EMFILE.
const MaxHandles = 64

// pollWait is the longest a call waits in the host before yielding.
const pollWait = 10 * time.Millisecond

var (
	errNotInSandbox = fmt.Errorf("guest: TCP works only inside the sandbox's WASI module (GOOS=wasip1): %w", errors.ErrUnsupported)
	errAgain        = errors.New("guest: try again")
	errNoSuchHost   = errors.New("no such host")
	errTooMany      = fmt.Errorf("too many open connections and listeners (the sandbox allows %d per process): %w", MaxHandles, syscall.EMFILE)
)

// family is the host's number for network.
func family(network string) (uint32, bool) {
	switch network {
	case "tcp":
		return 0, true
	case "tcp4":
		return 4, true
	case "tcp6":
		return 6, true
	}
	return 0, false
}

// Dial connects to address ("host:port") on network "tcp", "tcp4" or
// "tcp6". ctx bounds the connect, name resolution included. A refused
// connection satisfies errors.Is(err, syscall.ECONNREFUSED), a
// destination that is not loopback errors.Is(err, ErrNotLoopback).
func Dial(ctx context.Context, network, address string) (net.Conn, error) {
	fail := func(err error) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: textAddr{network, address}, Err: err}
	}
	fam, ok := family(network)
	if !ok {
		return fail(net.UnknownNetworkError(network))
	}
	h, err := hostDial(fam, address)
	if err != nil {
		return fail(netErr("connect", err, address))
	}
	for {
		if err := ctx.Err(); err != nil {
			hostClose(h)
			return fail(err)
		}
		wait := pollWait
		if d, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(d))
		}
		err := hostConnect(h, wait)
		if err == nil {
			break
		}
		if err != errAgain {
			hostClose(h)
			return fail(netErr("connect", err, address))
		}
		runtime.Gosched()
	}
	c := &conn{h: h, network: network}
	c.laddr, c.raddr = addrOf(h, false), addrOf(h, true)
	return c, nil
}

// Listen listens on address, which must be loopback ("127.0.0.1:8080",
// "localhost:0"); an empty or unspecified host (":8080") listens on
// loopback, the sandbox's only interface.
func Listen(network, address string) (net.Listener, error) {
	fail := func(err error) (net.Listener, error) {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: textAddr{network, address}, Err: err}
	}
	fam, ok := family(network)
	if !ok {
		return fail(net.UnknownNetworkError(network))
	}
	h, err := hostListen(fam, address)
	if err != nil {
		return fail(netErr("listen", err, address))
	}
	return &listener{h: h, network: network, addr: addrOf(h, false)}, nil
}

// netErr presents a failed dial or listen the way package net would.
func netErr(call string, err error, address string) error {
	if err == errNoSuchHost {
		host, _, _ := net.SplitHostPort(address)
		return &net.DNSError{Err: err.Error(), Name: host, IsNotFound: true}
	}
	return sysErr(call, err)
}

// sysErr names the system call of an errno, as package net does.
func sysErr(call string, err error) error {
	var en syscall.Errno
	if errors.As(err, &en) && err == error(en) {
		return os.NewSyscallError(call, err)
	}
	return err
}

// addrOf is the address of handle h, empty if the host has none.
func addrOf(h int32, remote bool) *net.TCPAddr {
	s, err := hostAddr(h, remote)
	if err != nil {
		return &net.TCPAddr{}
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return &net.TCPAddr{}
	}
	return net.TCPAddrFromAddrPort(ap)
}

// textAddr is an address as given, before the host resolved it.
type textAddr struct{ network, s string }

func (a textAddr) Network() string { return a.network }
func (a textAddr) String() string  { return a.s }
