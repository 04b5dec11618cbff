//go:build wasip1

package main

import (
	"syscall"
	"time"
	"unsafe"

	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// The host module's functions; sandbox/wasm/hostexec.go documents them.

//go:wasmimport sockerless exec
func sockerlessExec(req unsafe.Pointer, n, stdinNull uint32, timeout int64) int32

//go:wasmimport sockerless stat
func sockerlessStat(path unsafe.Pointer, n, follow uint32, out unsafe.Pointer) uint32

//go:wasmimport sockerless chmod
func sockerlessChmod(path unsafe.Pointer, n, mode uint32) uint32

//go:wasmimport sockerless chown
func sockerlessChown(path unsafe.Pointer, n, uid, gid, follow uint32) uint32

//go:wasmimport sockerless sysinfo
func sockerlessSysinfo(buf unsafe.Pointer, capacity uint32) uint32

//go:wasmimport sockerless lookpath
func sockerlessLookPath(req unsafe.Pointer, n uint32, buf unsafe.Pointer, capacity uint32) int32

//go:wasmimport sockerless alive
func sockerlessAlive()

// hostAlive gives the host its chance to end this process when it must
// stop: a module is stopped only at calls to the host.
func hostAlive() { sockerlessAlive() }

// hostExec runs args as a child command of this process in dir with
// env; it returns the exit status, or abi.ExecTimedOut when a timeout
// above zero stopped it.
func hostExec(dir string, args, env []string, nullStdin bool, timeout time.Duration) int {
	req := abi.AppendStrings(nil, dir)
	req = abi.AppendStrings(req, args...)
	req = abi.AppendStrings(req, env...)
	var null uint32
	if nullStdin {
		null = 1
	}
	return int(sockerlessExec(unsafe.Pointer(&req[0]), uint32(len(req)), null, int64(timeout)))
}

func hostStat(name string, follow bool) (abi.Stat, error) {
	if name == "" {
		return abi.Stat{}, syscall.ENOENT
	}
	p := []byte(name)
	var f uint32
	if follow {
		f = 1
	}
	var out [abi.StatSize]byte
	if e := sockerlessStat(unsafe.Pointer(&p[0]), uint32(len(p)), f, unsafe.Pointer(&out[0])); e != 0 {
		return abi.Stat{}, syscall.Errno(e)
	}
	return abi.DecodeStat(out[:]), nil
}

func hostChmod(name string, mode uint32) error {
	if name == "" {
		return syscall.ENOENT
	}
	p := []byte(name)
	if e := sockerlessChmod(unsafe.Pointer(&p[0]), uint32(len(p)), mode); e != 0 {
		return syscall.Errno(e)
	}
	return nil
}

// hostChown changes name's owner; an id of all bits set keeps it.
func hostChown(name string, uid, gid uint32, follow bool) error {
	if name == "" {
		return syscall.ENOENT
	}
	p := []byte(name)
	var f uint32
	if follow {
		f = 1
	}
	if e := sockerlessChown(unsafe.Pointer(&p[0]), uint32(len(p)), uid, gid, f); e != 0 {
		return syscall.Errno(e)
	}
	return nil
}

// hostSysinfo returns hostname, user name, uid, gid, group name, kernel
// release, version and machine.
func hostSysinfo() []string {
	buf := make([]byte, 512)
	for {
		n := sockerlessSysinfo(unsafe.Pointer(&buf[0]), uint32(len(buf)))
		if int(n) > len(buf) {
			buf = make([]byte, n)
			continue
		}
		ss, _, _ := abi.ReadStrings(buf[:n])
		return ss
	}
}

func hostLookPath(name string, env []string) (string, error) {
	req := abi.AppendStrings(nil, append([]string{name}, env...)...)
	buf := make([]byte, 256)
	for {
		n := sockerlessLookPath(unsafe.Pointer(&req[0]), uint32(len(req)), unsafe.Pointer(&buf[0]), uint32(len(buf)))
		switch {
		case n < 0:
			return "", syscall.Errno(-n)
		case int(n) > len(buf):
			buf = make([]byte, n)
			continue
		}
		return string(buf[:n]), nil
	}
}
