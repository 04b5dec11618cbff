package wasm

import (
	"bytes"
	"context"
	"io"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// A WASI module cannot start processes. The utility module imports one
// host function for the utilities that must (xargs, find -exec, awk's
// system()):
//
//	sockerless.exec(argv_ptr, argv_len i32, stdin_null i32) -> status i32
//
// argv is NUL-separated in the module's memory. The command runs the way
// the shell would run it, through Proc.Exec, as a child of the process:
// same environment, working directory, filesystem and output streams;
// its stdin is the module's, or empty when stdin_null is set.
const hostModule = "sockerless"

// ExecFunc runs a command for a module; it returns the exit status.
type ExecFunc func(ctx context.Context, args []string, stdin io.Reader) int

type execKey struct{}

// instantiateHost adds the sockerless host module to rt.
func instantiateHost(ctx context.Context, rt wazero.Runtime) error {
	_, err := rt.NewHostModuleBuilder(hostModule).
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(hostExec), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("exec").
		Instantiate(ctx)
	return err
}

// execCall is what Run puts in the module's context for hostExec.
type execCall struct {
	exec  ExecFunc
	stdin io.Reader
}

func hostExec(ctx context.Context, mod api.Module, stack []uint64) {
	status := uint32(127)
	defer func() { stack[0] = api.EncodeU32(status) }()
	call, ok := ctx.Value(execKey{}).(execCall)
	if !ok || call.exec == nil {
		return
	}
	buf, ok := mod.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
	if !ok || len(buf) == 0 {
		return
	}
	var args []string
	for _, a := range bytes.Split(bytes.TrimSuffix(buf, []byte{0}), []byte{0}) {
		args = append(args, string(a))
	}
	stdin := call.stdin
	if api.DecodeU32(stack[2]) != 0 {
		stdin = eof{}
	}
	status = uint32(call.exec(ctx, args, stdin))
}
