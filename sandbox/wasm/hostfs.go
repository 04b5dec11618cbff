package wasm

import (
	"context"
	"io/fs"
	"path"

	"github.com/tetratelabs/wazero/api"

	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// hostStat answers stat: the file's metadata as the container shows it,
// with the permission bits and owners WASI's filestat lacks.
func hostStat(ctx context.Context, mod api.Module, stack []uint64) {
	name, p, e := hostPath(ctx, mod, stack[0], stack[1])
	if e != 0 {
		stack[0] = api.EncodeU32(e)
		return
	}
	var fi fs.FileInfo
	var err error
	if api.DecodeU32(stack[2]) != 0 {
		fi, err = p.FS.Stat(name)
	} else {
		fi, err = p.FS.Lstat(name)
	}
	if err != nil {
		stack[0] = api.EncodeU32(wasiErrno(err))
		return
	}
	var buf [abi.StatSize]byte
	statOf(fi).Put(buf[:])
	if !mod.Memory().Write(api.DecodeU32(stack[3]), buf[:]) {
		stack[0] = api.EncodeU32(abi.EINVAL)
		return
	}
	stack[0] = 0
}

// hostChmod answers chmod, which WASI preview 1 has no call for.
func hostChmod(ctx context.Context, mod api.Module, stack []uint64) {
	name, p, e := hostPath(ctx, mod, stack[0], stack[1])
	if e != 0 {
		stack[0] = api.EncodeU32(e)
		return
	}
	mode := fs.FileMode(api.DecodeU32(stack[2])) & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	stack[0] = api.EncodeU32(wasiErrno(p.FS.Chmod(name, mode)))
}

// hostChown answers chown, which WASI preview 1 has no call for. The
// container's ids are the host's except root, which is the host user
// (hoststat_unix.go): changing a file to the owner it has already
// succeeds without touching it, as for root in a user namespace; any
// other owner needs the host's permission to give it.
func hostChown(ctx context.Context, mod api.Module, stack []uint64) {
	name, p, e := hostPath(ctx, mod, stack[0], stack[1])
	if e != 0 {
		stack[0] = api.EncodeU32(e)
		return
	}
	uid, gid, follow := api.DecodeU32(stack[2]), api.DecodeU32(stack[3]), api.DecodeU32(stack[4]) != 0
	get := p.FS.Lstat
	if follow {
		get = p.FS.Stat
	}
	fi, err := get(name)
	if err != nil {
		stack[0] = api.EncodeU32(wasiErrno(err))
		return
	}
	st := statOf(fi)
	if (uid == keepID || uid == st.UID) && (gid == keepID || gid == st.GID) {
		stack[0] = 0
		return
	}
	hu, hg := hostOwner(uid, gid)
	stack[0] = api.EncodeU32(wasiErrno(p.FS.Chown(name, hu, hg, follow)))
}

// keepID is chown's "leave this id as it is" (-1 as a uint32).
const keepID = ^uint32(0)

// hostPath reads a path argument, made absolute against the process's
// working directory, and the process it is for.
func hostPath(ctx context.Context, mod api.Module, ptr, n uint64) (string, *Proc, uint32) {
	stopIfDone(ctx)
	p, ok := proc(ctx)
	if !ok || p.FS == nil {
		return "", nil, abi.ENOSYS
	}
	b, ok := mod.Memory().Read(api.DecodeU32(ptr), api.DecodeU32(n))
	if !ok || len(b) == 0 {
		return "", nil, abi.EINVAL
	}
	name := string(b)
	if !path.IsAbs(name) {
		name = path.Join(p.dir(), name)
	}
	return path.Clean(name), p, 0
}
