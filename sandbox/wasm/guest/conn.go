package guest

import (
	"io"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// conn is a TCP connection held by the host as handle h.
type conn struct {
	h            int32
	network      string
	laddr, raddr *net.TCPAddr
	closed       atomic.Bool
	rd, wd       deadline
}

var _ interface {
	net.Conn
	CloseWrite() error
} = (*conn)(nil)

func (c *conn) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: c.network, Source: c.laddr, Addr: c.raddr, Err: err}
}

// Read waits for data in steps of pollWait, yielding between them; a
// Close from another goroutine ends it with net.ErrClosed.
func (c *conn) Read(b []byte) (int, error) {
	for {
		if c.closed.Load() {
			return 0, c.opErr("read", net.ErrClosed)
		}
		if len(b) == 0 {
			return 0, nil
		}
		wait, err := c.rd.wait()
		if err != nil {
			return 0, c.opErr("read", err)
		}
		n, err := hostRead(c.h, b, wait)
		switch {
		case err == errAgain:
			runtime.Gosched()
		case err != nil:
			return 0, c.opErr("read", sysErr("read", err))
		case n == 0:
			return 0, io.EOF
		default:
			return n, nil
		}
	}
}

// Write writes all of b, waiting the way Read does while the peer does
// not take it.
func (c *conn) Write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		if c.closed.Load() {
			return done, c.opErr("write", net.ErrClosed)
		}
		wait, err := c.wd.wait()
		if err != nil {
			return done, c.opErr("write", err)
		}
		n, err := hostWrite(c.h, b[done:], wait)
		switch {
		case err == errAgain:
			runtime.Gosched()
		case err != nil:
			return done, c.opErr("write", sysErr("write", err))
		}
		done += n
	}
	return done, nil
}

// CloseWrite shuts the sending side: the peer reads EOF, and this side
// can still read its answer.
func (c *conn) CloseWrite() error {
	if c.closed.Load() {
		return c.opErr("close", net.ErrClosed)
	}
	if err := hostShutdown(c.h); err != nil {
		return c.opErr("close", sysErr("shutdown", err))
	}
	return nil
}

func (c *conn) Close() error {
	if c.closed.Swap(true) {
		return c.opErr("close", net.ErrClosed)
	}
	if err := hostClose(c.h); err != nil {
		return c.opErr("close", sysErr("close", err))
	}
	return nil
}

func (c *conn) LocalAddr() net.Addr  { return c.laddr }
func (c *conn) RemoteAddr() net.Addr { return c.raddr }

func (c *conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

func (c *conn) SetReadDeadline(t time.Time) error  { c.rd.set(t); return nil }
func (c *conn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// deadline is a read or write deadline, kept here: each wait in the host
// is bounded by it.
type deadline struct{ unixNano atomic.Int64 }

func (d *deadline) set(t time.Time) {
	if t.IsZero() {
		d.unixNano.Store(0)
		return
	}
	d.unixNano.Store(t.UnixNano())
}

// wait is how long the next host call may wait, or
// os.ErrDeadlineExceeded once the deadline has passed.
func (d *deadline) wait() (time.Duration, error) {
	ns := d.unixNano.Load()
	if ns == 0 {
		return pollWait, nil
	}
	left := time.Until(time.Unix(0, ns))
	if left <= 0 {
		return 0, os.ErrDeadlineExceeded
	}
	return min(left, pollWait), nil
}

// listener is a TCP listener held by the host as handle h.
type listener struct {
	h       int32
	network string
	addr    *net.TCPAddr
	closed  atomic.Bool
}

// Accept waits for a connection the way Read waits for data; Close from
// another goroutine ends it with net.ErrClosed.
func (l *listener) Accept() (net.Conn, error) {
	for {
		if l.closed.Load() {
			return nil, &net.OpError{Op: "accept", Net: l.network, Addr: l.addr, Err: net.ErrClosed}
		}
		h, err := hostAccept(l.h, pollWait)
		switch {
		case err == errAgain:
			runtime.Gosched()
			continue
		case err != nil:
			return nil, &net.OpError{Op: "accept", Net: l.network, Addr: l.addr, Err: sysErr("accept", err)}
		}
		c := &conn{h: h, network: l.network}
		c.laddr, c.raddr = addrOf(h, false), addrOf(h, true)
		return c, nil
	}
}

func (l *listener) Close() error {
	if l.closed.Swap(true) {
		return &net.OpError{Op: "close", Net: l.network, Addr: l.addr, Err: net.ErrClosed}
	}
	if err := hostClose(l.h); err != nil {
		return &net.OpError{Op: "close", Net: l.network, Addr: l.addr, Err: sysErr("close", err)}
	}
	return nil
}

func (l *listener) Addr() net.Addr { return l.addr }
