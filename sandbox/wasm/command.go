package wasm

import (
	"context"
	"fmt"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// Command runs one utility of the module as a sandbox command.
type Command struct {
	Engine *Engine
	FS     *rootfs.FS // the container's filesystem
	Memory int64      // bytes per process; 0 for DefaultMemoryLimit
}

// Run implements command.Command: the module gets the invocation's args
// (Args[0] picks the utility), env, working directory, streams and the
// container's filesystem, and nothing else.
func (c Command) Run(ctx context.Context, inv *command.Invocation) int {
	code, err := c.Engine.Run(ctx, Proc{
		Args: append([]string{inv.Name()}, inv.Args[1:]...), Env: inv.Env, Dir: inv.Dir, FS: c.FS,
		Stdin: inv.Stdin, Stdout: inv.Stdout, Stderr: inv.Stderr, Memory: c.Memory, Sys: inv.Sys,
	})
	if err != nil {
		fmt.Fprintf(inv.Stderr, "%s: %v\n", inv.Name(), err)
		return 127
	}
	return code
}

// Register adds every utility of the module to r, run by engine e over
// the filesystem fsys with the given memory limit; names r already has
// keep their commands.
func Register(r *command.Registry, e *Engine, fsys *rootfs.FS, memory int64) {
	for _, n := range Names() {
		if _, ok := r.Lookup(n); !ok {
			r.Register(n, Command{Engine: e, FS: fsys, Memory: memory})
		}
	}
}
