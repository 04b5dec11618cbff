package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/sockerless/sockerless/sandbox/command"
)

// ttyStdin connects a process's terminal to its shells. The interpreter
// wants an *os.File for stdin and copies any other reader into a pipe
// as fast as it can, which would take lines typed for the shell away
// from it. So shells get file, a pipe that stays empty: commands the
// interpreter runs get line itself in its place (see system.exec), and
// the read builtin gets one line copied into it when it runs.
type ttyStdin struct {
	line *ttyLine
	file *os.File // what the interpreter sees as stdin
	w    *os.File // feeds file for the read builtin
}

// newTTYStdin makes the pipe; the caller sets line.
func newTTYStdin() (*ttyStdin, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	return &ttyStdin{file: r, w: w}, nil
}

func (t *ttyStdin) close() {
	t.file.Close()
	t.w.Close()
}

// is reports whether r is the terminal as the interpreter sees it.
func (t *ttyStdin) is(r io.Reader) bool {
	return t != nil && r == io.Reader(t.file)
}

// stdinFor is the stdin a command gets when the interpreter gives it r.
func (s *system) stdinFor(r io.Reader) io.Reader {
	if s.tty.is(r) {
		return s.tty.line
	}
	return r
}

// feedRead gives the read builtin the line it reads when it would read
// the terminal: the line is read here, honouring -p and -s, and copied
// into the pipe the interpreter reads. At end of input read reads
// /dev/null instead, so that it fails and empties its variables.
func (s *system) feedRead(ctx context.Context, args []string) []string {
	if s.tty == nil || args[0] != "read" || !s.tty.is(interp.HandlerCtx(ctx).Stdin) {
		return args
	}
	hc := interp.HandlerCtx(ctx)
	args, prompt, silent := readFlags(args)
	if silent {
		// Off before the prompt shows, so that what answers it is not echoed.
		s.tty.line.setEcho(false)
		defer s.tty.line.setEcho(true)
	}
	if prompt != "" {
		io.WriteString(hc.Stdout, prompt)
	}
	line, err := s.tty.line.readLine(ctx)
	if len(line) > 0 {
		if line[len(line)-1] != '\n' {
			line = append(line, '\n')
		}
		s.tty.w.Write(line)
		return args
	}
	if err == nil || ctx.Err() != nil {
		return args // interrupted: read sees its context end
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		q, qerr := syntax.Quote(a, syntax.LangBash)
		if qerr != nil {
			return []string{"false"}
		}
		quoted[i] = q
	}
	return []string{"eval", strings.Join(quoted, " ") + " </dev/null"}
}

// readFlags takes -p PROMPT out of read's arguments and reports -s.
func readFlags(args []string) (rest []string, prompt string, silent bool) {
	rest = []string{args[0]}
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			break
		}
		kept := "-"
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 's':
				silent = true
				kept += "s"
			case 'p':
				prompt = a[j+1:]
				if prompt == "" && i+1 < len(args) {
					i++
					prompt = args[i]
				}
				j = len(a)
			default:
				kept += string(a[j])
			}
		}
		if kept != "-" {
			rest = append(rest, kept)
		}
	}
	return append(rest, args[i:]...), prompt, silent
}

// runTerminal is an interactive shell on a terminal: it prompts with PS1
// before each command and PS2 on continuation lines, survives ^C (which
// stops the command running and drops a half-typed one), reports syntax
// errors and goes on, and ends at exit or end of input.
func (s *system) runTerminal(ctx context.Context, r *interp.Runner, inv *command.Invocation, line *ttyLine) int {
	s.proc.interactive.Store(true)
	code := 0
	exited := false
	for !exited && ctx.Err() == nil {
		io.WriteString(inv.Stderr, s.prompt(r, false))
		in := &shellInput{ctx: ctx, line: line}
		p := syntax.NewParser()
		err := p.Interactive(&finalNewline{r: in}, func(stmts []*syntax.Stmt) bool {
			if p.Incomplete() {
				io.WriteString(inv.Stderr, s.prompt(r, true))
				return true
			}
			for _, st := range stmts {
				confineProgram(st)
				var stopped bool
				code, stopped = s.runForeground(ctx, r, inv, st)
				if r.Exited() {
					exited = true
					return false
				}
				if stopped {
					break // ^C stops the rest of the line too
				}
			}
			if ctx.Err() != nil {
				return false
			}
			io.WriteString(inv.Stderr, s.prompt(r, false))
			return true
		})
		switch {
		case errors.Is(err, errInterrupted):
			code = 130
		case err != nil && ctx.Err() == nil:
			fmt.Fprintf(inv.Stderr, "sh: %v\n", err)
			code = 2
			if in.eof {
				return s.runPendingTraps(ctx, r, code)
			}
		case err == nil && !exited:
			// End of input: exit, running the EXIT trap.
			r.Run(ctx, &syntax.File{})
			return s.runPendingTraps(ctx, r, code)
		}
	}
	return s.runPendingTraps(ctx, r, code)
}

// runForeground runs one statement so that ^C (an interrupt of the
// process's foreground) stops it, then runs traps the signal raised. It
// reports whether a signal stopped the statement.
func (s *system) runForeground(ctx context.Context, r *interp.Runner, inv *command.Invocation, st *syntax.Stmt) (int, bool) {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	fg := s.proc.foreground()
	stop := context.AfterFunc(fg, func() { cancel(context.Cause(fg)) })
	defer stop()
	err := r.Run(sctx, st)
	// fg, not sctx: the AfterFunc that cancels sctx may not have run yet.
	se, stopped := context.Cause(fg).(signalError)
	if stopped && ctx.Err() == nil {
		err = interp.ExitStatus(uint8(se.status()))
	}
	code := exitCode(inv, err)
	if r.Exited() {
		return code, stopped
	}
	return s.runPendingTraps(ctx, r, code), stopped
}

// shellInput is the terminal as a shell reads commands from it: a ^C
// while it waits interrupts the statement being read.
type shellInput struct {
	ctx  context.Context
	line *ttyLine
	eof  bool
}

func (in *shellInput) Read(p []byte) (int, error) {
	n, err := in.line.read(in.ctx, p)
	if err == io.EOF {
		in.eof = true
	}
	return n, err
}

// finalNewline ends input that does not end in a newline with one, so
// that the parser runs a last unterminated command, as shells do.
type finalNewline struct {
	r    io.Reader
	last byte
	done bool
}

func (f *finalNewline) Read(p []byte) (int, error) {
	if f.done || len(p) == 0 {
		return 0, io.EOF
	}
	n, err := f.r.Read(p)
	if n > 0 {
		f.last = p[n-1]
		return n, nil
	}
	if err == io.EOF {
		f.done = true
		if f.last != 0 && f.last != '\n' {
			p[0] = '\n'
			return 1, nil
		}
	}
	return n, err
}

// prompt is PS2 for a continuation line, else PS1 with its backslash
// escapes expanded; without PS1 it is busybox's default, `\w \$ `, which
// shows "/ # " for root in /.
func (s *system) prompt(r *interp.Runner, continuation bool) string {
	if continuation {
		if ps2, ok := shellVar(r, "PS2"); ok {
			return ps2
		}
		return "> "
	}
	ps1, ok := shellVar(r, "PS1")
	if !ok {
		ps1 = `\w \$ `
	}
	home, _ := shellVar(r, "HOME")
	return expandPrompt(ps1, promptInfo{dir: r.Dir, home: home, user: s.user.Name, host: s.hostname, root: s.user.UID == 0})
}

// shellVar reads a variable of the shell: Vars holds them after a first
// statement has run, the initial environment before.
func shellVar(r *interp.Runner, name string) (string, bool) {
	if v, ok := r.Vars[name]; ok {
		return v.String(), v.IsSet()
	}
	v := r.Env.Get(name)
	return v.String(), v.IsSet()
}

type promptInfo struct {
	dir, home, user, host string
	root                  bool
}

// expandPrompt expands the prompt escapes busybox and bash share.
func expandPrompt(ps string, pi promptInfo) string {
	var b strings.Builder
	for i := 0; i < len(ps); i++ {
		if ps[i] != '\\' || i+1 == len(ps) {
			b.WriteByte(ps[i])
			continue
		}
		i++
		switch c := ps[i]; c {
		case 'w':
			b.WriteString(tildeDir(pi.dir, pi.home))
		case 'W':
			if d := tildeDir(pi.dir, pi.home); d == "~" || d == "/" {
				b.WriteString(d)
			} else {
				b.WriteString(path.Base(d))
			}
		case 'u':
			b.WriteString(pi.user)
		case 'h':
			host, _, _ := strings.Cut(pi.host, ".")
			b.WriteString(host)
		case 'H':
			b.WriteString(pi.host)
		case '$':
			if pi.root {
				b.WriteByte('#')
			} else {
				b.WriteByte('$')
			}
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case 'a':
			b.WriteByte(0x07)
		case '\\':
			b.WriteByte('\\')
		case '[', ']':
			// Brackets mark non-printing sequences for line editing.
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tildeDir shows dir with the home directory as ~.
func tildeDir(dir, home string) string {
	if home == "" || home == "/" {
		return dir
	}
	if dir == home {
		return "~"
	}
	if rest, ok := strings.CutPrefix(dir, home+"/"); ok {
		return "~/" + rest
	}
	return dir
}
