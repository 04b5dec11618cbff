package sandbox

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// newRunner builds an interpreter whose every file access, directory
// listing, stat and command goes through the container's view.
func (s *system) newRunner(ctx context.Context, inv *command.Invocation, sa shellArgs) (*interp.Runner, error) {
	params := append(append([]string(nil), sa.opts...), "--")
	params = append(params, sa.params...)
	env := newEnviron(inv.Env, s.user, pidOf(ctx))
	stdin := inv.Stdin
	if t, ok := stdin.(*ttyLine); ok && s.tty != nil && s.tty.line == t {
		stdin = s.tty.file
	}
	r, err := interp.New(
		// The interpreter makes its fifos (for <(...)) in $TMPDIR and opens
		// paths there directly, bypassing the open handler. It reads TMPDIR
		// once, on its first reset: point it at a private host directory
		// then, and give the script its real environment afterwards.
		interp.Env(expand.ListEnviron("TMPDIR="+s.tmpDir)),
		interp.StdIO(stdin, inv.Stdout, inv.Stderr),
		interp.Params(params...),
		interp.OpenHandler(s.open),
		interp.ReadDirHandler2(s.readDir),
		interp.StatHandler(s.stat),
		interp.AccessHandler(s.access),
		interp.CallHandler(s.call),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return s.exec }),
	)
	if err != nil {
		return nil, err
	}
	r.Dir = inv.Dir // a container path; the Dir option would stat it on the host
	r.Reset()
	if err := interp.Env(env)(r); err != nil {
		return nil, err
	}
	r.Reset()
	return r, nil
}

func abs(dir, p string) string {
	if path.IsAbs(p) {
		return p
	}
	return path.Join(dir, p)
}

func stdioOf(hc interp.HandlerContext) rootfs.Stdio {
	return rootfs.Stdio{In: hc.Stdin, Out: hc.Stdout, Err: hc.Stderr}
}

func (s *system) open(ctx context.Context, p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	if p == forkMarker || p == frameMarker {
		return s.proc.pids.openMarker(p, hc.Stderr)
	}
	if src, ok := strings.CutPrefix(p, sourceMarker); ok {
		return s.openSource(src)
	}
	return s.fs.OpenFile(abs(hc.Dir, p), flag, perm, stdioOf(hc))
}

func (s *system) readDir(ctx context.Context, p string) ([]fs.DirEntry, error) {
	return s.fs.ReadDir(abs(interp.HandlerCtx(ctx).Dir, p))
}

func (s *system) stat(ctx context.Context, p string, follow bool) (fs.FileInfo, error) {
	p = abs(interp.HandlerCtx(ctx).Dir, p)
	if follow {
		return s.fs.Stat(p)
	}
	return s.fs.Lstat(p)
}

// access answers test -r/-w/-x and cd. The process acts as the image's
// root (see coreutils' id mapping): reads are allowed, writes fail only on
// read-only mounts, and execution needs an x bit.
func (s *system) access(ctx context.Context, p string, mode interp.AccessMode) error {
	p = abs(interp.HandlerCtx(ctx).Dir, p)
	fi, err := s.fs.Stat(p)
	if err != nil {
		return err
	}
	if mode&interp.AccessWrite != 0 && !s.fs.Writable(p) {
		return &fs.PathError{Op: "access", Path: p, Err: syscall.EROFS}
	}
	if mode&interp.AccessExec != 0 && fi.Mode()&0o111 == 0 {
		return &fs.PathError{Op: "access", Path: p, Err: syscall.EACCES}
	}
	return nil
}

// call runs before every simple command: it delivers pending signal traps
// and reroutes the interpreter builtins that would touch the host.
func (s *system) call(ctx context.Context, args []string) ([]string, error) {
	args = s.proc.traps.withPending(args)
	switch args[0] {
	case "read":
		return s.feedRead(ctx, args), nil
	case "eval":
		// eval parses its own program; it must count forks too.
		return countEval(args), nil
	case "trap":
		return countTrap(s.proc.traps.rewrite(args)), nil
	case "source", ".":
		hc := interp.HandlerCtx(ctx)
		return s.countSource(hc.Dir, exported(hc.Env), args), nil
	case "kill":
		// The interpreter lists kill as a builtin but does not implement it.
		return append([]string{internalKill}, args[1:]...), nil
	case "printf":
		return append([]string{internalPrintf}, args[1:]...), nil
	case "echo":
		return oneWriteEcho(args), nil
	case "command":
		// command -v searches the host's PATH; search the container's.
		if len(args) > 2 && (args[1] == "-v" || args[1] == "-V") && !interp.IsBuiltin(args[2]) {
			return append([]string{internalCommandV}, args[1:]...), nil
		}
	}
	return args, nil
}

// exec runs every command that is not a shell function or builtin.
func (s *system) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	inv := &command.Invocation{
		Args: args, Env: exported(hc.Env), Dir: hc.Dir,
		Stdin: s.stdinFor(hc.Stdin), Stdout: hc.Stdout, Stderr: hc.Stderr, Sys: s,
	}
	if code := s.Exec(ctx, inv); code != 0 {
		return interp.ExitStatus(uint8(code))
	}
	return nil
}

func exported(env expand.Environ) []string {
	var out []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() && name != pidVar {
			out = append(out, name+"="+vr.String())
		}
		return true
	})
	return out
}

// environ is the script's environment plus the variables the interpreter
// would otherwise take from the host: UID, EUID, GID and the pid for $$.
type environ struct {
	base  expand.Environ
	extra map[string]expand.Variable
}

func newEnviron(env []string, u command.User, pid int) expand.Environ {
	ro := func(v int) expand.Variable {
		return expand.Variable{Set: true, Kind: expand.String, ReadOnly: true, Str: strconv.Itoa(v)}
	}
	return environ{base: expand.ListEnviron(env...), extra: map[string]expand.Variable{
		"UID": ro(u.UID), "EUID": ro(u.UID), "GID": ro(u.GID), pidVar: ro(pid),
	}}
}

func (e environ) Get(name string) expand.Variable {
	if v, ok := e.extra[name]; ok {
		return v
	}
	return e.base.Get(name)
}

func (e environ) Each(fn func(string, expand.Variable) bool) {
	cont := true
	e.base.Each(func(n string, v expand.Variable) bool {
		cont = fn(n, v)
		return cont
	})
	for n, v := range e.extra {
		if !cont || !fn(n, v) {
			return
		}
	}
}
