package wasm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// maxNetHandles bounds the connections and listeners a process holds at
// once, as a file descriptor limit would.
const maxNetHandles = 64

// dialTimeout bounds a connect the module started and never came back
// for; the module's own deadline is usually much shorter.
const dialTimeout = 30 * time.Second

// listenTimeout bounds resolving a name to listen on.
const listenTimeout = 5 * time.Second

var (
	errTooManyHandles = fmt.Errorf("a sandbox process may hold at most %d network connections and listeners", maxNetHandles)
	errBadHandle      = errors.New("no such network handle")
)

// netKey keys a process's netTable in the context host functions get.
type netKey struct{}

// netTable holds one process's sockets by handle. Host calls come from
// the module's one thread, but close comes from wherever the process
// ends, hence the lock.
type netTable struct {
	ctx    context.Context // ends when the table closes; bounds connects
	cancel context.CancelFunc
	fs     *rootfs.FS // the container's, whose /etc/hosts names resolve first; nil for none

	mu      sync.Mutex
	next    int32
	handles map[int32]*netHandle
	closed  bool
}

// netHandle is a connection, a listener, or a connect under way (done
// open), which becomes a connection when it succeeds.
type netHandle struct {
	conn net.Conn
	ln   *net.TCPListener

	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

func newNetTable(fsys *rootfs.FS) *netTable {
	ctx, cancel := context.WithCancel(context.Background())
	return &netTable{ctx: ctx, cancel: cancel, fs: fsys, handles: map[int32]*netHandle{}}
}

// withNet gives a process of the container with filesystem fsys its
// network table in mctx, closed when ctx is cancelled (docker stop must
// not wait for a blocked accept) or when the returned function is
// called, as Run does when the module has ended.
func withNet(ctx, mctx context.Context, fsys *rootfs.FS) (context.Context, func()) {
	t := newNetTable(fsys)
	stop := context.AfterFunc(ctx, t.close)
	return context.WithValue(mctx, netKey{}, t), func() {
		stop()
		t.close()
	}
}

// close closes every handle and refuses new ones.
func (t *netTable) close() {
	t.cancel()
	t.mu.Lock()
	hs := t.handles
	t.handles, t.closed = map[int32]*netHandle{}, true
	t.mu.Unlock()
	for _, h := range hs {
		h.close()
	}
}

func (h *netHandle) close() error {
	if h.cancel != nil {
		h.cancel()
	}
	switch {
	case h.conn != nil:
		return h.conn.Close()
	case h.ln != nil:
		return h.ln.Close()
	}
	return nil
}

// add registers h; handles are never reused, so a stale one held by a
// goroutine of the module cannot reach another connection.
func (t *netTable) add(h *netHandle) (int32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return 0, context.Canceled
	case len(t.handles) >= maxNetHandles:
		return 0, errTooManyHandles
	case t.next == 1<<31-1:
		return 0, errTooManyHandles
	}
	t.next++
	t.handles[t.next] = h
	return t.next, nil
}

func (t *netTable) get(id int32) (*netHandle, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.handles[id]
	if !ok {
		return nil, errBadHandle
	}
	return h, nil
}

func (t *netTable) closeHandle(id int32) error {
	t.mu.Lock()
	h, ok := t.handles[id]
	delete(t.handles, id)
	t.mu.Unlock()
	if !ok {
		return errBadHandle
	}
	return h.close()
}

// dial starts connecting to address and returns the handle at once:
// resolving a name can take seconds, too long to hold the module.
func (t *netTable) dial(network, address string) (int32, error) {
	ctx, cancel := context.WithTimeout(t.ctx, dialTimeout)
	h := &netHandle{done: make(chan struct{}), cancel: cancel}
	id, err := t.add(h)
	if err != nil {
		cancel()
		return 0, err
	}
	go func() {
		defer close(h.done)
		conn, err := DialLoopback(ctx, t.fs, network, address)
		cancel()
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.handles[id] != h { // closed while connecting
			if conn != nil {
				conn.Close()
			}
			h.err = net.ErrClosed
			return
		}
		h.conn, h.err = conn, err
	}()
	return id, nil
}

// connect waits until the dial of handle id ends, or until.
func (t *netTable) connect(id int32, until time.Time) error {
	h, err := t.get(id)
	if err != nil || h.done == nil {
		return err
	}
	timer := time.NewTimer(time.Until(until))
	defer timer.Stop()
	select {
	case <-h.done:
		return h.err
	case <-timer.C:
		return errWouldBlock
	case <-t.ctx.Done():
		return context.Canceled
	}
}

// conn is the connection of handle id, once connected.
func (t *netTable) conn(id int32) (net.Conn, error) {
	h, err := t.get(id)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if h.conn == nil {
		return nil, syscall.ENOTCONN
	}
	return h.conn, nil
}

// listen listens on the first loopback address of address. Unlike dial
// it holds the module while it resolves: a listening name is "localhost"
// or an address, answered without asking a DNS server.
func (t *netTable) listen(network, address string) (int32, error) {
	ctx, cancel := context.WithTimeout(t.ctx, listenTimeout)
	defer cancel()
	ln, err := ListenLoopback(ctx, t.fs, network, address)
	if err != nil {
		return 0, err
	}
	id, err := t.add(&netHandle{ln: ln.(*net.TCPListener)})
	if err != nil {
		ln.Close()
	}
	return id, err
}

// accept waits for a connection on listener id until the time given.
func (t *netTable) accept(id int32, until time.Time) (int32, error) {
	h, err := t.get(id)
	if err != nil {
		return 0, err
	}
	if h.ln == nil {
		return 0, syscall.EINVAL
	}
	h.ln.SetDeadline(until)
	c, err := h.ln.Accept()
	if err != nil {
		return 0, err
	}
	nid, err := t.add(&netHandle{conn: c})
	if err != nil {
		c.Close()
	}
	return nid, err
}

func (t *netTable) addr(id int32, remote bool) (net.Addr, error) {
	h, err := t.get(id)
	if err != nil {
		return nil, err
	}
	if h.ln != nil && !remote {
		return h.ln.Addr(), nil
	}
	c, err := t.conn(id)
	switch {
	case err != nil:
		return nil, err
	case remote:
		return c.RemoteAddr(), nil
	}
	return c.LocalAddr(), nil
}

// ListenLoopback listens on the first loopback address of address, the
// only interface a sandbox process has; an empty or unspecified host is
// loopback. A name without loopback addresses is refused with
// command.ErrNotLoopback. Names resolve through fsys's /etc/hosts first.
func ListenLoopback(ctx context.Context, fsys *rootfs.FS, network, address string) (net.Listener, error) {
	ips, port, err := loopbackAddrs(ctx, fsys, network, address)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	return lc.Listen(ctx, network, netip.AddrPortFrom(ips[0], port).String())
}

// DialLoopback connects to the first loopback address of address that
// answers, as net.Dial tries each address of a name in turn; the check
// is made after resolution, so a name resolving elsewhere is refused
// with command.ErrNotLoopback. Names resolve through fsys's /etc/hosts
// first, as in the container (fsys nil: the host's resolver only).
func DialLoopback(ctx context.Context, fsys *rootfs.FS, network, address string) (net.Conn, error) {
	ips, port, err := loopbackAddrs(ctx, fsys, network, address)
	if err != nil {
		return nil, err
	}
	// Control checks again the address actually connected to.
	d := net.Dialer{Control: loopbackControl}
	var first error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip, port).String())
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// loopbackAddrs resolves address through fsys's /etc/hosts, else on the
// host, and keeps its loopback addresses for network; an empty or
// unspecified host is loopback, the only interface the sandbox has.
func loopbackAddrs(ctx context.Context, fsys *rootfs.FS, network, address string) ([]netip.Addr, uint16, error) {
	host, service, err := net.SplitHostPort(address)
	if err != nil {
		return nil, 0, syscall.EINVAL
	}
	port, err := net.DefaultResolver.LookupPort(ctx, network, service)
	if err != nil {
		return nil, 0, syscall.EINVAL
	}
	ipNet := "ip" + network[len("tcp"):]
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "localhost"
	}
	found := lookupHosts(fsys, host)
	if len(found) == 0 {
		if found, err = net.DefaultResolver.LookupNetIP(ctx, ipNet, host); err != nil {
			return nil, 0, err
		}
	}
	var ips []netip.Addr
	for _, ip := range found {
		if ip = ip.Unmap(); ip.IsLoopback() && (ipNet != "ip6" || ip.Is6()) {
			ips = append(ips, ip)
		}
	}
	if len(ips) == 0 {
		return nil, 0, fmt.Errorf("%s: %w", host, command.ErrNotLoopback)
	}
	return ips, uint16(port), nil
}

func loopbackControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("%s: %w", address, command.ErrNotLoopback)
	}
	return nil
}
