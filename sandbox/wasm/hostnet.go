package wasm

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// Go's wasip1 port cannot open sockets, so the module asks the host
// module for TCP (package sandbox/wasm/guest wraps these calls in
// net.Conn and net.Listener):
//
//	net_dial(addr_ptr, addr_len, family i32) -> handle or -errno i32
//	net_connect(h i32, wait_ns i64) -> 0 or -errno i32
//	net_listen(addr_ptr, addr_len, family i32) -> handle or -errno i32
//	net_accept(h i32, wait_ns i64) -> handle or -errno i32
//	net_read(h, buf_ptr, buf_len i32, wait_ns i64) -> n, 0 at EOF, or -errno i32
//	net_write(h, buf_ptr, buf_len i32, wait_ns i64) -> n or -errno i32
//	net_shutdown(h i32) -> 0 or -errno i32
//	net_close(h i32) -> 0 or -errno i32
//	net_addr(h, remote i32, buf_ptr, buf_cap i32) -> len or -errno i32
//
// addr is "host:port"; family is 0 for "tcp", 4 for "tcp4", 6 for
// "tcp6". The host resolves the name itself and keeps only loopback
// addresses (127.0.0.0/8, ::1); an unspecified or empty host means
// loopback, the only interface the sandbox has. A name or address with
// no loopback address fails with ENOTCAPABLE before any socket is made.
// Errors are WASI errno numbers (as syscall.Errno on wasip1); ENOENT
// from net_connect or net_listen means the name does not resolve.
//
// No call blocks for long, because a host call blocks the whole module
// and with it every goroutine of the Go program inside. net_dial only
// starts the connect; net_connect, net_accept, net_read and net_write
// wait at most wait_ns (clamped to [minNetWait, maxNetWait]) and return
// -EAGAIN when nothing happened, so the guest can let its other
// goroutines run and ask again. net_write may write part of the buffer.
// net_shutdown closes the write side (the peer reads EOF); net_close
// frees the handle, and a pending connect is abandoned. net_addr writes
// a connection's local (remote = 0) or remote address, or a listener's
// address, and returns the length it needs when buf_cap is too small.
//
// Handles belong to the process: at most maxNetHandles at once, and all
// are closed when the process ends or its context is cancelled, which
// also wakes any call waiting on them.

const (
	minNetWait = time.Millisecond
	maxNetWait = 100 * time.Millisecond
)

// WASI preview 1 error numbers of the network calls (abi has the
// filesystem ones).
const (
	errnoAddrInUse    = 3
	errnoAddrNotAvail = 4
	errnoAFNoSupport  = 5
	errnoAgain        = 6
	errnoCanceled     = 11
	errnoConnAborted  = 13
	errnoConnRefused  = 14
	errnoConnReset    = 15
	errnoFault        = 21
	errnoHostUnreach  = 23
	errnoMFile        = 33
	errnoNetDown      = 38
	errnoNetUnreach   = 40
	errnoNotConn      = 53
	errnoNotSup       = 58
	errnoPipe         = 64
	errnoTimedOut     = 73
	errnoNotCapable   = 76
)

// exportNet adds the network functions to the host module.
func exportNet(b wazero.HostModuleBuilder) wazero.HostModuleBuilder {
	for _, f := range []struct {
		name   string
		fn     api.GoModuleFunc
		params []api.ValueType
	}{
		{"net_dial", hostNetDial, []api.ValueType{i32, i32, i32}},
		{"net_connect", hostNetConnect, []api.ValueType{i32, i64}},
		{"net_listen", hostNetListen, []api.ValueType{i32, i32, i32}},
		{"net_accept", hostNetAccept, []api.ValueType{i32, i64}},
		{"net_read", hostNetRead, []api.ValueType{i32, i32, i32, i64}},
		{"net_write", hostNetWrite, []api.ValueType{i32, i32, i32, i64}},
		{"net_shutdown", hostNetShutdown, []api.ValueType{i32}},
		{"net_close", hostNetClose, []api.ValueType{i32}},
		{"net_addr", hostNetAddr, []api.ValueType{i32, i32, i32, i32}},
	} {
		b = b.NewFunctionBuilder().WithGoModuleFunction(f.fn, f.params, []api.ValueType{i32}).Export(f.name)
	}
	return b
}

// netCall runs a network call for the process's table and puts its
// result, or -errno, on the stack.
func netCall(ctx context.Context, stack []uint64, fn func(t *netTable) (int32, error)) {
	t, ok := ctx.Value(netKey{}).(*netTable)
	if !ok {
		stack[0] = api.EncodeI32(-abi.ENOSYS)
		return
	}
	n, err := fn(t)
	if err != nil {
		n = -netErrno(err)
	}
	stack[0] = api.EncodeI32(n)
}

// errWouldBlock is a wait that ended with nothing done (EAGAIN).
var errWouldBlock = errors.New("would block")

// errFault is a buffer outside the module's memory.
var errFault = errors.New("bad address")

func family(v uint64) (string, error) {
	switch api.DecodeU32(v) {
	case 0:
		return "tcp", nil
	case 4:
		return "tcp4", nil
	case 6:
		return "tcp6", nil
	}
	return "", syscall.EAFNOSUPPORT
}

// waitFor is the wait a call asked for, clamped: at least minNetWait, as
// a deadline already past would not even look at what is buffered.
func waitFor(ns uint64) time.Time {
	return time.Now().Add(min(max(time.Duration(int64(ns)), minNetWait), maxNetWait))
}

func hostNetDial(ctx context.Context, mod api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		network, addr, err := netAddress(mod, stack)
		if err != nil {
			return 0, err
		}
		return t.dial(network, addr)
	})
}

func hostNetConnect(ctx context.Context, _ api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		return 0, t.connect(api.DecodeI32(stack[0]), waitFor(stack[1]))
	})
}

func hostNetListen(ctx context.Context, mod api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		network, addr, err := netAddress(mod, stack)
		if err != nil {
			return 0, err
		}
		return t.listen(network, addr)
	})
}

// netAddress reads net_dial's and net_listen's (addr_ptr, addr_len,
// family) arguments.
func netAddress(mod api.Module, stack []uint64) (network, addr string, err error) {
	if network, err = family(stack[2]); err != nil {
		return "", "", err
	}
	b, ok := mod.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
	if !ok {
		return "", "", errFault
	}
	return network, string(b), nil
}

func hostNetAccept(ctx context.Context, _ api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		return t.accept(api.DecodeI32(stack[0]), waitFor(stack[1]))
	})
}

func hostNetRead(ctx context.Context, mod api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		c, buf, err := connBuf(t, mod, stack)
		if err != nil {
			return 0, err
		}
		c.SetReadDeadline(waitFor(stack[3]))
		n, err := c.Read(buf)
		switch {
		case n > 0:
			return int32(n), nil
		case err == nil:
			return 0, errWouldBlock
		case errors.Is(err, io.EOF):
			return 0, nil
		}
		return 0, err
	})
}

func hostNetWrite(ctx context.Context, mod api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		c, buf, err := connBuf(t, mod, stack)
		if err != nil {
			return 0, err
		}
		c.SetWriteDeadline(waitFor(stack[3]))
		if n, err := c.Write(buf); n > 0 || err != nil {
			return int32(n), err
		}
		return 0, errWouldBlock
	})
}

// connBuf is the connection of handle stack[0] and the module's buffer
// at stack[1], stack[2], read or written in place: the module does not
// run, so cannot grow its memory, while the call lasts.
func connBuf(t *netTable, mod api.Module, stack []uint64) (net.Conn, []byte, error) {
	c, err := t.conn(api.DecodeI32(stack[0]))
	if err != nil {
		return nil, nil, err
	}
	n := api.DecodeU32(stack[2])
	if n == 0 {
		return nil, nil, syscall.EINVAL
	}
	buf, ok := mod.Memory().Read(api.DecodeU32(stack[1]), min(n, 1<<20))
	if !ok {
		return nil, nil, errFault
	}
	return c, buf, nil
}

func hostNetShutdown(ctx context.Context, _ api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		c, err := t.conn(api.DecodeI32(stack[0]))
		if err != nil {
			return 0, err
		}
		cw, ok := c.(interface{ CloseWrite() error })
		if !ok {
			return 0, syscall.ENOTSUP
		}
		return 0, cw.CloseWrite()
	})
}

func hostNetClose(ctx context.Context, _ api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		return 0, t.closeHandle(api.DecodeI32(stack[0]))
	})
}

func hostNetAddr(ctx context.Context, mod api.Module, stack []uint64) {
	netCall(ctx, stack, func(t *netTable) (int32, error) {
		a, err := t.addr(api.DecodeI32(stack[0]), api.DecodeU32(stack[1]) != 0)
		if err != nil {
			return 0, err
		}
		return int32(writeOut(mod, stack[2], stack[3], []byte(a.String()))), nil
	})
}

// netErrno converts a network error to a WASI errno number.
func netErrno(err error) int32 {
	var dns *net.DNSError
	var ae *net.AddrError
	switch {
	case errors.Is(err, errWouldBlock), errors.Is(err, os.ErrDeadlineExceeded):
		return errnoAgain
	case errors.Is(err, command.ErrNotLoopback):
		return errnoNotCapable
	case errors.Is(err, errTooManyHandles):
		return errnoMFile
	case errors.Is(err, errFault):
		return errnoFault
	case errors.Is(err, net.ErrClosed), errors.Is(err, errBadHandle):
		return abi.EBADF
	case errors.Is(err, context.Canceled):
		return errnoCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return errnoTimedOut
	case errors.As(err, &dns) && dns.IsNotFound:
		return abi.ENOENT
	case errors.As(err, &ae): // no address of the family asked for
		return errnoAddrNotAvail
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		if n, ok := errnos[en]; ok {
			return n
		}
	}
	return abi.EIO
}

var errnos = map[syscall.Errno]int32{
	syscall.EACCES:        abi.EACCES,
	syscall.EADDRINUSE:    errnoAddrInUse,
	syscall.EADDRNOTAVAIL: errnoAddrNotAvail,
	syscall.EAFNOSUPPORT:  errnoAFNoSupport,
	syscall.ECONNABORTED:  errnoConnAborted,
	syscall.ECONNREFUSED:  errnoConnRefused,
	syscall.ECONNRESET:    errnoConnReset,
	syscall.EHOSTUNREACH:  errnoHostUnreach,
	syscall.EINVAL:        abi.EINVAL,
	syscall.EMFILE:        errnoMFile,
	syscall.ENETDOWN:      errnoNetDown,
	syscall.ENETUNREACH:   errnoNetUnreach,
	syscall.ENOTCONN:      errnoNotConn,
	syscall.ENOTSUP:       errnoNotSup,
	syscall.EPERM:         abi.EPERM,
	syscall.EPIPE:         errnoPipe,
	syscall.ETIMEDOUT:     errnoTimedOut,
}
