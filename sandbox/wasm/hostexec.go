package wasm

import (
	"context"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// A WASI preview 1 module cannot start processes, carries no permission
// bits or owners, and knows nothing of users or the kernel. The utility
// module imports what it needs of those from the host module
// "sockerless" (the wire formats are in package abi):
//
//	exec(req_ptr, req_len i32, stdin_null i32, timeout_ns i64) -> status i32
//	stat(path_ptr, path_len i32, follow i32, out_ptr i32) -> errno i32
//	chmod(path_ptr, path_len i32, mode i32) -> errno i32
//	chown(path_ptr, path_len i32, uid, gid i32, follow i32) -> errno i32
//	sysinfo(buf_ptr, buf_cap i32) -> len i32
//	lookpath(req_ptr, req_len i32, buf_ptr, buf_cap i32) -> len or -errno i32
//	alive()
//
// exec's request is three string lists: the working directory, argv and
// the environment. The command runs the way the shell would run it, as
// a child of the process (Proc.Sys.Exec): same filesystem and output
// streams; its stdin is the module's, or empty when stdin_null is set.
// A timeout_ns above zero stops it after that long, and exec returns
// abi.ExecTimedOut. chown's ids are container ids, -1 (all bits set)
// keeping one as it is. Paths are container paths, resolved by the
// container's rootfs as every other access is. sysinfo and lookpath
// return the length they need when buf_cap is too small. alive does
// nothing but end the module if its process must stop (terminate.go).
const hostModule = "sockerless"

// procKey keys the running Proc in the context the host functions get.
type procKey struct{}

// proc returns the Proc whose module called a host function.
func proc(ctx context.Context) (*Proc, bool) {
	p, ok := ctx.Value(procKey{}).(*Proc)
	return p, ok
}

var (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// instantiateHost adds the sockerless host module to rt.
func instantiateHost(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(hostModule)
	for _, f := range []struct {
		name    string
		fn      api.GoModuleFunc
		params  []api.ValueType
		results []api.ValueType
	}{
		{"exec", hostExec, []api.ValueType{i32, i32, i32, i64}, []api.ValueType{i32}},
		{"stat", hostStat, []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}},
		{"chmod", hostChmod, []api.ValueType{i32, i32, i32}, []api.ValueType{i32}},
		{"chown", hostChown, []api.ValueType{i32, i32, i32, i32, i32}, []api.ValueType{i32}},
		{"sysinfo", hostSysinfo, []api.ValueType{i32, i32}, []api.ValueType{i32}},
		{"lookpath", hostLookPath, []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}},
		{"alive", hostAlive, nil, nil},
	} {
		b = b.NewFunctionBuilder().WithGoModuleFunction(f.fn, f.params, f.results).Export(f.name)
	}
	b = exportNet(b)
	_, err := b.Instantiate(ctx)
	return err
}

func hostExec(ctx context.Context, mod api.Module, stack []uint64) {
	stopIfDone(ctx)
	status := int32(127)
	defer func() { stack[0] = api.EncodeI32(status) }()
	p, ok := proc(ctx)
	if !ok || p.Sys == nil {
		return
	}
	req, ok := mod.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
	if !ok {
		return
	}
	dir, rest, ok := abi.ReadStrings(req)
	if !ok || len(dir) != 1 {
		return
	}
	args, rest, ok := abi.ReadStrings(rest)
	if !ok || len(args) == 0 {
		return
	}
	env, _, ok := abi.ReadStrings(rest)
	if !ok {
		return
	}
	inv := &command.Invocation{
		Args: args, Env: env, Dir: dir[0], Stdin: p.stdin(),
		Stdout: p.Stdout, Stderr: p.Stderr, Sys: p.Sys,
	}
	if api.DecodeU32(stack[2]) != 0 {
		inv.Stdin = eof{}
	}
	run := ctx
	if d := time.Duration(int64(stack[3])); d > 0 {
		var cancel context.CancelFunc
		run, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	status = int32(p.Sys.Exec(run, inv))
	stopIfDone(ctx) // so a stopped run.Err below is the timeout's
	if run.Err() != nil {
		status = abi.ExecTimedOut
	}
}
