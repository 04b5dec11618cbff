package wasm

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
	"syscall"

	"github.com/tetratelabs/wazero/api"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// hostSysinfo answers sysinfo: what id, whoami, hostname and uname
// report, where the process starts and what it may buffer, as the string
// list hostname, user name, uid, gid, group name, kernel release,
// version, machine, working directory (WASI has no cwd; the module
// changes to it first), and the bytes the module's Go runtime may use.
func hostSysinfo(ctx context.Context, mod api.Module, stack []uint64) {
	p, ok := proc(ctx)
	if !ok {
		stack[0] = 0
		return
	}
	var u command.User
	var k command.Kernel
	var host string
	if p.Sys != nil {
		u, k, host = p.Sys.User(), p.Sys.Kernel(), p.Sys.Hostname()
	}
	out := abi.AppendStrings(nil, host, u.Name, strconv.Itoa(u.UID), strconv.Itoa(u.GID),
		u.GroupName, k.Release, k.Version, k.Machine, p.dir(), strconv.FormatInt(p.heap, 10))
	stack[0] = api.EncodeU32(writeOut(mod, stack[0], stack[1], out))
}

// hostLookPath answers lookpath for which: the request is the string
// list name, then the environment.
func hostLookPath(ctx context.Context, mod api.Module, stack []uint64) {
	fail := func(e uint32) { stack[0] = api.EncodeI32(-int32(e)) }
	p, ok := proc(ctx)
	if !ok || p.Sys == nil {
		fail(abi.ENOSYS)
		return
	}
	req, ok := mod.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
	if !ok {
		fail(abi.EINVAL)
		return
	}
	ss, _, ok := abi.ReadStrings(req)
	if !ok || len(ss) == 0 {
		fail(abi.EINVAL)
		return
	}
	found, err := p.Sys.LookPath(ss[0], ss[1:])
	if err != nil {
		fail(wasiErrno(err))
		return
	}
	stack[0] = api.EncodeU32(writeOut(mod, stack[2], stack[3], []byte(found)))
}

// writeOut copies out into the module's buffer when it fits and returns
// its length either way, so the module can retry with a larger buffer.
func writeOut(mod api.Module, ptr, capacity uint64, out []byte) uint32 {
	if uint64(len(out)) <= uint64(api.DecodeU32(capacity)) {
		mod.Memory().Write(api.DecodeU32(ptr), out)
	}
	return uint32(len(out))
}

// statOf is fi's metadata as the container shows it.
func statOf(fi fs.FileInfo) abi.Stat {
	st := abi.Stat{Mode: fi.Mode(), Size: fi.Size(), ModTime: fi.ModTime(), Nlink: 1}
	unixStat(fi, &st)
	return st
}

// wasiErrno converts an error to a WASI errno number (0 for nil).
func wasiErrno(err error) uint32 {
	if err == nil {
		return 0
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return abi.ENOENT
	case errors.Is(err, syscall.EXDEV):
		return abi.EXDEV
	}
	switch experimentalsys.UnwrapOSError(err) {
	case experimentalsys.EACCES:
		return abi.EACCES
	case experimentalsys.EBADF:
		return abi.EBADF
	case experimentalsys.EEXIST:
		return abi.EEXIST
	case experimentalsys.EINVAL:
		return abi.EINVAL
	case experimentalsys.EISDIR:
		return abi.EISDIR
	case experimentalsys.ELOOP:
		return abi.ELOOP
	case experimentalsys.ENAMETOOLONG:
		return abi.ENAMETOOLONG
	case experimentalsys.ENOENT:
		return abi.ENOENT
	case experimentalsys.ENOSYS:
		return abi.ENOSYS
	case experimentalsys.ENOTDIR:
		return abi.ENOTDIR
	case experimentalsys.ENOTEMPTY:
		return abi.ENOTEMPTY
	case experimentalsys.EPERM:
		return abi.EPERM
	case experimentalsys.EROFS:
		return abi.EROFS
	}
	return abi.EIO
}
