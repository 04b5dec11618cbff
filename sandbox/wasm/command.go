package wasm

import (
	"context"
	"fmt"
	"io"

	"github.com/sockerless/sockerless/sandbox/command"
)

// Names are the utilities of the module the sandbox registers: the ones
// its Go built-ins do not provide. xargs, find -exec and awk's system()
// run their commands through the host function in hostexec.go. The module also holds yes and true,
// for tests and benchmarks; the built-ins answer to those names.
var Names = []string{
	"awk", "base64", "cmp", "diff", "expr", "find", "gunzip", "gzip", "md5sum", "readlink", "realpath",
	"rmdir", "sed", "sha1sum", "sha256sum", "sha512sum", "xargs", "zcat",
}

// Command runs one utility of the module as a sandbox command.
type Command struct {
	Engine *Engine
	Memory int64 // bytes per process; 0 for DefaultMemoryLimit
}

// Run implements command.Command: the module gets the invocation's args
// (Args[0] picks the utility), env, working directory, streams and
// filesystem, and nothing else.
func (c Command) Run(ctx context.Context, inv *command.Invocation) int {
	code, err := c.Engine.Run(ctx, Proc{
		Args: append([]string{inv.Name()}, inv.Args[1:]...), Env: inv.Env, Dir: inv.Dir, FS: inv.FS,
		Stdin: inv.Stdin, Stdout: inv.Stdout, Stderr: inv.Stderr, Memory: c.Memory,
		Exec: func(ctx context.Context, args []string, stdin io.Reader) int {
			if inv.Sys == nil {
				fmt.Fprintf(inv.Stderr, "%s: cannot run %s: no sandbox to run it in\n", inv.Name(), args[0])
				return 127
			}
			sub := *inv
			sub.Args, sub.Stdin = args, stdin
			return inv.Sys.Exec(ctx, &sub)
		},
	})
	if err != nil {
		fmt.Fprintf(inv.Stderr, "%s: %v\n", inv.Name(), err)
		return 127
	}
	return code
}

// Register adds every name in Names that r does not have yet, run by
// engine e with the given memory limit: Go built-ins already registered
// keep their names.
func Register(r *command.Registry, e *Engine, memory int64) {
	for _, n := range Names {
		if _, ok := r.Lookup(n); !ok {
			r.Register(n, Command{Engine: e, Memory: memory})
		}
	}
}
