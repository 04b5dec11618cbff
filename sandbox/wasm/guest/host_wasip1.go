//go:build wasip1

package guest

import (
	"syscall"
	"time"
	"unsafe"
)

// The host module's network calls; sandbox/wasm/hostnet.go documents
// them. Each returns a result, or a WASI errno negated.

//go:wasmimport sockerless net_dial
func netDial(addr unsafe.Pointer, n, family uint32) int32

//go:wasmimport sockerless net_connect
func netConnect(h int32, waitNs int64) int32

//go:wasmimport sockerless net_listen
func netListen(addr unsafe.Pointer, n, family uint32) int32

//go:wasmimport sockerless net_accept
func netAccept(h int32, waitNs int64) int32

//go:wasmimport sockerless net_read
func netRead(h int32, buf unsafe.Pointer, n uint32, waitNs int64) int32

//go:wasmimport sockerless net_write
func netWrite(h int32, buf unsafe.Pointer, n uint32, waitNs int64) int32

//go:wasmimport sockerless net_shutdown
func netShutdown(h int32) int32

//go:wasmimport sockerless net_close
func netClose(h int32) int32

//go:wasmimport sockerless net_addr
func netAddr(h int32, remote uint32, buf unsafe.Pointer, capacity uint32) int32

// maxIO bounds one read or write, as the host does.
const maxIO = 1 << 20

// result splits a call's result into a value and an error.
func result(r int32) (int32, error) {
	if r >= 0 {
		return r, nil
	}
	switch e := syscall.Errno(-r); e {
	case syscall.EAGAIN:
		return 0, errAgain
	case syscall.ENOTCAPABLE:
		return 0, ErrNotLoopback
	case syscall.EMFILE:
		return 0, errTooMany
	default:
		return 0, e
	}
}

func str(s string) (unsafe.Pointer, uint32) {
	if s == "" {
		return nil, 0
	}
	return unsafe.Pointer(unsafe.StringData(s)), uint32(len(s))
}

func hostDial(family uint32, addr string) (int32, error) {
	p, n := str(addr)
	return result(netDial(p, n, family))
}

// ENOENT from net_connect or net_listen means the name does not
// resolve.
func hostConnect(h int32, wait time.Duration) error {
	_, err := result(netConnect(h, int64(wait)))
	if err == syscall.ENOENT {
		return errNoSuchHost
	}
	return err
}

func hostListen(family uint32, addr string) (int32, error) {
	p, n := str(addr)
	h, err := result(netListen(p, n, family))
	if err == syscall.ENOENT {
		return 0, errNoSuchHost
	}
	return h, err
}

func hostAccept(h int32, wait time.Duration) (int32, error) {
	return result(netAccept(h, int64(wait)))
}

func hostRead(h int32, b []byte, wait time.Duration) (int, error) {
	b = b[:min(len(b), maxIO)]
	n, err := result(netRead(h, unsafe.Pointer(&b[0]), uint32(len(b)), int64(wait)))
	return int(n), err
}

func hostWrite(h int32, b []byte, wait time.Duration) (int, error) {
	b = b[:min(len(b), maxIO)]
	n, err := result(netWrite(h, unsafe.Pointer(&b[0]), uint32(len(b)), int64(wait)))
	return int(n), err
}

func hostShutdown(h int32) error {
	_, err := result(netShutdown(h))
	return err
}

func hostClose(h int32) error {
	_, err := result(netClose(h))
	return err
}

func hostAddr(h int32, remote bool) (string, error) {
	var r uint32
	if remote {
		r = 1
	}
	buf := make([]byte, 64)
	for {
		n, err := result(netAddr(h, r, unsafe.Pointer(&buf[0]), uint32(len(buf))))
		if err != nil {
			return "", err
		}
		if int(n) <= len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, n)
	}
}
