package main

import (
	"context"
	"io"
	"os"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/coreutils"
)

// The utilities of sandbox/coreutils run here over the module's view of
// the container (guestFS) and the host module (guestSys). kill is among
// them for completeness; the sandbox runs its own, which can signal.
func init() {
	for _, name := range coreutils.Names() {
		fn, _ := coreutils.Lookup(name)
		register(name, func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			ctx := context.Background()
			if h := heapLimit(); h > 0 {
				// What a utility may buffer, growth copies included
				// (they are charged): a quarter of the heap, the rest
				// being garbage not yet collected and the runtime's own.
				ctx = command.WithMemoryLimit(ctx, h/4)
			}
			return fn(ctx, &command.Invocation{
				Args: args, Env: os.Environ(), Dir: workDir(), FS: guestFS{},
				Stdin: stdin, Stdout: stdout, Stderr: stderr, Sys: guestSys{},
			})
		})
	}
}
