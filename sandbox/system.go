package sandbox

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"runtime/debug"
	"sync"
	"syscall"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/coreutils"
	"github.com/sockerless/sockerless/sandbox/rootfs"
	"github.com/sockerless/sockerless/sandbox/wasm"
)

// wasmEngine is the shared utility module engine; the reason it is
// missing is logged once.
func wasmEngine() (*wasm.Engine, error) {
	e, err := wasm.Default()
	if err != nil {
		wasmWarn.Do(func() {
			log.Printf("sockerless sandbox: WASI utilities unavailable (ls, cat, grep, sed, ... are missing; only the shell's builtins run): %v", err)
		})
	}
	return e, err
}

var wasmWarn sync.Once

// Names of commands only the shell reaches: the call handler renames the
// interpreter builtins it cannot run confined (kill, command -v) or that fall short
// of busybox's (printf: no %.Ns, %X) to these.
// The NUL byte keeps scripts from naming them.
const (
	internalKill     = "\x00kill"
	internalCommandV = "\x00command-v"
	internalPrintf   = "\x00printf"
)

// shellNames run the interpreter in-process, whatever the image holds.
var shellNames = map[string]bool{"sh": true, "ash": true, "bash": true, "dash": true}

// system is what one container process's commands see of the sandbox; it
// implements command.System.
type system struct {
	fs       *rootfs.FS
	reg      *command.Registry
	hostname string
	user     command.User
	proc     *Process
	tmpDir   string    // host directory for the interpreter's own fifos
	tty      *ttyStdin // the terminal, for a process started with Spec.TTY
}

func newSystem(fsys *rootfs.FS, hostname string, user command.User, p *Process, tmp string, memory int64) *system {
	s := &system{fs: fsys, hostname: hostname, user: user, proc: p, tmpDir: tmp}
	s.reg = command.NewRegistry()
	// kill signals the sandbox's own processes, so it runs in-process,
	// as does the printf that stands in for the shell's builtin; every
	// other utility runs in the WASI module. Without a module they are
	// absent, not faked: the reason is logged.
	kill, _ := coreutils.Lookup("kill")
	s.reg.Register("kill", kill)
	s.reg.Register(internalKill, kill)
	printf, _ := coreutils.Lookup("printf")
	s.reg.Register(internalPrintf, printf)
	// top reads the process table, which is the host's.
	s.reg.Register("top", command.Func(s.top))
	if e, err := wasmEngine(); err == nil {
		wasm.Register(s.reg, e, fsys, memory)
	}
	sh := command.Func(s.runShell)
	for name := range shellNames {
		s.reg.Register(name, sh)
	}
	s.reg.Register(internalCommandV, command.Func(s.commandV))
	for _, name := range testNames {
		s.reg.Register(name, command.Func(s.runTestBuiltin))
	}
	return s
}

func (s *system) Hostname() string   { return s.hostname }
func (s *system) User() command.User { return s.user }

// Dial and Listen implement command.System with the loopback-only
// network every sandbox process has.
func (s *system) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	return wasm.DialLoopback(ctx, network, address, wasm.ContainerHosts(s.fs))
}

func (s *system) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	return wasm.ListenLoopback(ctx, network, address, wasm.ContainerHosts(s.fs))
}

func (s *system) Signal(pid int, sig syscall.Signal) error { return signalPid(pid, sig) }

// Exec runs a command as a child process: it gets its own pseudo pid,
// shows in the process list, and can be signalled on its own.
func (s *system) Exec(ctx context.Context, inv *command.Invocation) int {
	if !s.proc.pids.fork() {
		fmt.Fprintln(inv.Stderr, errFork)
		return forkStatus
	}
	defer s.proc.pids.exit()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// A trapped signal interrupts the commands running when it arrives.
	fg := s.proc.foreground()
	stop := context.AfterFunc(fg, func() { cancel(context.Cause(fg)) })
	defer stop()
	pid := register(ProcessInfo{PPid: pidOf(ctx), Args: inv.Args, Root: s.proc.rootOf()}, func(sig syscall.Signal) error {
		if fatal(sig) {
			cancel(signalError{sig})
		}
		return nil
	})
	defer unregister(pid)
	code := s.dispatch(withPid(ctx, pid), inv, 0)
	if se, ok := context.Cause(ctx).(signalError); ok {
		return se.status()
	}
	return code
}

// commandV is `command -v|-V NAME...` answered from the container's PATH.
// Shell functions are not seen here; builtins never reach it.
func (s *system) commandV(_ context.Context, inv *command.Invocation) int {
	verbose := len(inv.Args) > 1 && inv.Args[1] == "-V"
	status := 0
	for _, name := range inv.Args[2:] {
		p, err := s.LookPath(name, inv.Env)
		switch {
		case err != nil && verbose:
			fmt.Fprintf(inv.Stderr, "command: %s: not found\n", name)
			status = 1
		case err != nil:
			status = 1
		case verbose:
			fmt.Fprintf(inv.Stdout, "%s is %s\n", name, p)
		default:
			fmt.Fprintln(inv.Stdout, p)
		}
	}
	return status
}

type pidKey struct{}

// withPid records which sandbox process runs under ctx, for $$ and PPID.
func withPid(ctx context.Context, pid int) context.Context {
	return context.WithValue(ctx, pidKey{}, pid)
}

func pidOf(ctx context.Context) int {
	pid, _ := ctx.Value(pidKey{}).(int)
	return pid
}

// emptyReader stands in for a missing stdin.
var emptyReader io.Reader = eofReader{}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Warm builds and compiles the WASI utility module ahead of the first
// container, so that one does not wait for it. It is safe to call from
// a goroutine at startup; the result is shared.
func Warm() error {
	e, err := wasmEngine()
	if err != nil {
		return err
	}
	err = e.Prime(context.Background())
	debug.FreeOSMemory() // the compiler's working memory is not needed again
	return err
}
