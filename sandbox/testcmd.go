package sandbox

import (
	"context"

	"github.com/sockerless/sockerless/sandbox/command"
)

// testNames are busybox applets the interpreter has only as builtins;
// run as a process of their own (docker exec c test -f F, a wait
// strategy's probe), they take the builtin's answer.
var testNames = []string{"test", "["}

// runTestBuiltin runs `test ARGS` or `[ ARGS ]` through the shell's
// builtin, so a probe gets the same answer in a script and outside one.
func (s *system) runTestBuiltin(ctx context.Context, inv *command.Invocation) int {
	sub := *inv
	sub.Args = append([]string{"sh", "-c", `"$0" "$@"`, inv.Name()}, inv.Args[1:]...)
	return s.runShell(ctx, &sub)
}
