package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/sockerless/sockerless/sandbox/command"
)

// shellArgs is a parsed sh/bash command line.
type shellArgs struct {
	opts      []string // for the set builtin: -e, -o pipefail, ...
	command   string   // -c
	hasCmd    bool
	fromStdin bool
	script    string
	arg0      string // $0
	params    []string
}

func parseShellArgs(args []string) (shellArgs, error) {
	sa := shellArgs{arg0: args[0]}
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" {
			i++
			break
		}
		if strings.HasPrefix(a, "--") {
			continue // --login, --norc, --noprofile, --posix: nothing to do here
		}
		if len(a) < 2 || (a[0] != '-' && a[0] != '+') {
			break
		}
		for _, c := range a[1:] {
			switch c {
			case 'c':
				sa.hasCmd = true
			case 's':
				sa.fromStdin = true
			case 'i', 'l':
			case 'o':
				if i+1 >= len(args) {
					return sa, errors.New("-o: option requires an argument")
				}
				i++
				sa.opts = append(sa.opts, a[:1]+"o", args[i])
			default:
				sa.opts = append(sa.opts, a[:1]+string(c))
			}
		}
	}
	rest := args[i:]
	switch {
	case sa.hasCmd:
		if len(rest) == 0 {
			return sa, errors.New("-c requires an argument")
		}
		sa.command, rest = rest[0], rest[1:]
		if len(rest) > 0 {
			sa.arg0, rest = rest[0], rest[1:]
		}
	case sa.fromStdin || len(rest) == 0:
		sa.fromStdin = true
	default:
		sa.script, sa.arg0, rest = rest[0], rest[0], rest[1:]
	}
	sa.params = rest
	return sa, nil
}

// runShell is the sh/bash command: mvdan.cc/sh with every handler
// confined to the container.
func (s *system) runShell(ctx context.Context, inv *command.Invocation) int {
	sa, err := parseShellArgs(inv.Args)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "sh: %v\n", err)
		return 2
	}
	r, err := s.newRunner(ctx, inv, sa)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "sh: %v\n", err)
		return 2
	}
	if sa.fromStdin {
		if t, ok := inv.Stdin.(*ttyLine); ok {
			return s.runTerminal(ctx, r, inv, t)
		}
		return s.runInteractive(ctx, r, inv)
	}
	src, name := sa.command, sa.arg0
	if !sa.hasCmd {
		b, err := s.fs.ReadFile(inv.Abs(sa.script))
		if err != nil {
			fmt.Fprintf(inv.Stderr, "sh: can't open '%s': %s\n", sa.script, command.ErrText(err))
			return 127
		}
		src = string(b)
	}
	file, err := syntax.NewParser().Parse(strings.NewReader(src), name)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "sh: %v\n", err)
		return 2
	}
	confineProgram(file)
	err = r.Run(ctx, file)
	return s.runPendingTraps(ctx, r, exitCode(inv, err))
}

// runInteractive reads statements from stdin as they arrive, so that
// `docker run -i img sh` runs each line when it is typed.
func (s *system) runInteractive(ctx context.Context, r *interp.Runner, inv *command.Invocation) int {
	code := 0
	exited := false
	p := syntax.NewParser()
	perr := p.Interactive(&finalNewline{r: inv.Stdin}, func(stmts []*syntax.Stmt) bool {
		if p.Incomplete() {
			return true // the statements so far come again with the rest
		}
		for _, st := range stmts {
			confineProgram(st)
			code = exitCode(inv, r.Run(ctx, st))
			if r.Exited() {
				exited = true
				return false
			}
		}
		return ctx.Err() == nil
	})
	if perr != nil && ctx.Err() == nil {
		fmt.Fprintf(inv.Stderr, "sh: %v\n", perr)
		code = 2
	}
	if !exited {
		// Reaching the end of input is an exit: run the EXIT trap.
		r.Run(ctx, &syntax.File{})
	}
	return s.runPendingTraps(ctx, r, code)
}

// runPendingTraps runs signal traps raised after the last command.
func (s *system) runPendingTraps(ctx context.Context, r *interp.Runner, code int) int {
	for _, action := range s.proc.traps.take() {
		file, err := syntax.NewParser().Parse(strings.NewReader(action), "trap")
		if err != nil {
			continue
		}
		confineProgram(file)
		for _, st := range file.Stmts {
			c := exitCode(nil, r.Run(ctx, st))
			if r.Exited() {
				return c
			}
		}
	}
	return code
}

// exitCode turns the interpreter's result into a status; other errors are
// the interpreter's own failures and are reported.
func exitCode(inv *command.Invocation, err error) int {
	if err == nil {
		return 0
	}
	if st, ok := interp.IsExitStatus(err); ok {
		return int(st)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 130 // killed from outside (docker stop, timeout): nothing to report
	}
	if inv != nil {
		fmt.Fprintf(inv.Stderr, "sh: %v\n", err)
	}
	return 1
}

// pidVar holds the sandbox pid that $$ reads: the interpreter would report
// the host's pid, so the parsed program is rewritten to read this instead.
const pidVar = "__sandbox_pid"

// confineProgram prepares every program the shell runs: $$ reads pidVar,
// and countForks's accounting bounds its processes and calls.
func confineProgram(node syntax.Node) {
	countForks(node)
	syntax.Walk(node, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && pe.Param != nil && pe.Param.Value == "$" {
			pe.Param.Value = pidVar
		}
		return true
	})
}
