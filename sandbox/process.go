package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// Process is a running container process.
type Process struct {
	pid    int
	root   string // Spec.Root as given, to list processes by container
	pids   *pids  // the container's process count
	sys    *system
	cancel context.CancelCauseFunc
	ctx    context.Context
	done   chan struct{}
	code   int
	stdin  io.Closer // what the process reads; closing it unblocks readers
	traps  *traps

	// container is the Spec the process was started with, for native
	// programs that start more processes in the same container.
	container Spec

	// interactive is set by a shell reading commands from the terminal:
	// like one, the process then survives SIGINT and SIGQUIT, which stop
	// its foreground command instead.
	interactive atomic.Bool

	mu       sync.Mutex
	fg       context.Context // commands run under it; a trapped signal cancels it
	fgCancel context.CancelCauseFunc
	height   uint
	width    uint
}

// Start runs spec.Args in the sandbox. The process ends when its command
// does, when ctx is cancelled (as SIGKILL), or on a fatal signal.
func Start(ctx context.Context, spec Spec, stdio Stdio) (*Process, error) {
	if len(spec.Args) == 0 {
		return nil, errors.New("sandbox: no command specified")
	}
	fsys, err := rootfs.NewLayered(spec.Root, spec.Image, spec.Mounts)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := makeMountPoints(spec.Root, spec.Image, fsys.Mounts()); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	user, home, err := resolveUser(fsys, spec.User)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	dir := spec.Dir
	if dir == "" {
		dir = "/"
	}
	// Docker creates a missing working directory; so does the sandbox.
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sandbox: working directory %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp("", "sockerless-sandbox-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	pids, ok := reserveIn(spec.Root, spec.PidsLimit)
	if !ok {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("sandbox: %w", errFork)
	}
	stdout, stderr := streams(spec.TTY, stdio)

	p := &Process{root: spec.Root, container: spec, pids: pids, done: make(chan struct{}), traps: newTraps(), height: spec.Height, width: spec.Width}
	p.sys = newSystem(fsys, spec.Hostname, user, p, tmp, spec.Memory)
	p.sys.peers = spec.Peers
	p.ctx, p.cancel = context.WithCancelCause(context.WithoutCancel(ctx))
	p.fg, p.fgCancel = context.WithCancelCause(p.ctx)
	var stdin io.Reader
	if spec.TTY {
		if p.sys.tty, err = newTTYStdin(); err != nil {
			p.release()
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		line := newTTYLine(stdio.Stdin, stdout, func(sig syscall.Signal) { p.Signal(sig) })
		p.sys.tty.line = line
		stdin, p.stdin = line, line
	} else {
		stdinR, err := pipeStdin(stdio.Stdin)
		if err != nil {
			p.release()
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		stdin, p.stdin = stdinR, stdinR
	}
	p.pid = register(ProcessInfo{Args: spec.Args, Started: time.Now(), Root: spec.Root}, p.Signal)
	stop := context.AfterFunc(ctx, func() { p.terminate(syscall.SIGKILL) })

	inv := &command.Invocation{
		Args: spec.Args, Env: buildEnv(spec, home), Dir: dir,
		Stdin: stdin, Stdout: stdout, Stderr: stderr, Sys: p.sys,
	}
	go func() {
		defer stop()
		ctx := command.WithMemoryLimit(withPid(p.ctx, p.pid), spec.Memory)
		code := p.sys.dispatch(ctx, inv, 0)
		p.finish(code)
		if p.sys.tty != nil {
			p.sys.tty.close()
		}
		os.RemoveAll(tmp)
	}()
	return p, nil
}

// pipeStdin hands the process an *os.File for stdin: the shell uses it
// directly, and closing it on termination wakes every blocked reader.
func pipeStdin(in io.Reader) (*os.File, error) {
	if in == nil {
		return os.Open(os.DevNull)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	go func() {
		io.Copy(w, in)
		w.Close()
	}()
	return r, nil
}

func streams(tty bool, stdio Stdio) (io.Writer, io.Writer) {
	out, errw := stdio.Stdout, stdio.Stderr
	if out == nil {
		out = io.Discard
	}
	if errw == nil {
		errw = io.Discard
	}
	if tty {
		t := &ttyWriter{w: out}
		return t, t
	}
	return &lockedWriter{w: out}, &lockedWriter{w: errw}
}

// makeMountPoints creates missing mount targets in the root, as the
// engine does, so that they show up in directory listings. Targets the
// image already has cost nothing.
func makeMountPoints(root, image string, mounts []Mount) error {
	bare, err := rootfs.NewLayered(root, image, nil)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		if _, err := bare.Lstat(m.Target); err == nil {
			continue
		}
		fi, err := os.Stat(m.Source)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			err = bare.MkdirAll(m.Target, 0o755)
		} else if err = bare.MkdirAll(parentDir(m.Target), 0o755); err == nil {
			var f io.Closer
			f, err = bare.OpenFile(m.Target, os.O_CREATE|os.O_WRONLY, 0o644, rootfs.Stdio{})
			if err == nil {
				f.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("mount point %s: %w", m.Target, err)
		}
	}
	return nil
}

func parentDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "/"
}

// buildEnv adds what Docker adds: PATH, HOSTNAME, HOME (and TERM on a tty).
func buildEnv(spec Spec, home string) []string {
	env := append([]string(nil), spec.Env...)
	has := func(k string) bool {
		for _, kv := range env {
			if strings.HasPrefix(kv, k+"=") {
				return true
			}
		}
		return false
	}
	if !has("PATH") {
		env = append(env, "PATH="+DefaultPath)
	}
	if !has("HOSTNAME") && spec.Hostname != "" {
		env = append(env, "HOSTNAME="+spec.Hostname)
	}
	if !has("HOME") {
		env = append(env, "HOME="+home)
	}
	if spec.TTY && !has("TERM") {
		env = append(env, "TERM=xterm")
	}
	return env
}

func (p *Process) finish(code int) {
	var se signalError
	if errors.As(context.Cause(p.ctx), &se) {
		code = se.status()
	}
	p.mu.Lock()
	p.code = code
	p.mu.Unlock()
	p.cancel(nil)
	p.stdin.Close()
	unregister(p.pid)
	p.release()
	close(p.done)
}

// release gives back the process's slot in its container's count.
func (p *Process) release() { p.pids.exit() }

// Wait blocks until the process ends and returns its exit code as Docker
// reports it: the command's status, or 128+n after a fatal signal n.
func (p *Process) Wait() int {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.code
}

// Done is closed when the process has ended.
func (p *Process) Done() <-chan struct{} { return p.done }

// Pid is the process's pseudo pid, unique among sandbox processes.
func (p *Process) Pid() int { return p.pid }

// Signal delivers sig. A trap set with the shell's trap builtin runs it;
// otherwise SIGKILL, SIGTERM, SIGINT and SIGHUP end the process and other
// signals are ignored, as for a container's pid 1. A shell reading
// commands from its terminal survives SIGINT and SIGQUIT (^C, ^\): they
// stop the command it runs.
func (p *Process) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return syscall.ESRCH
	default:
	}
	if sig == syscall.SIGKILL {
		p.terminate(sig)
		return nil
	}
	if action, ok := p.traps.lookup(sig); ok {
		if action != "" {
			p.traps.raise(sig)
			p.interrupt(sig)
		}
		return nil
	}
	if p.interactive.Load() && (sig == syscall.SIGINT || sig == syscall.SIGQUIT) {
		p.interrupt(sig)
		return nil
	}
	if fatal(sig) {
		p.terminate(sig)
	}
	return nil
}

// terminate ends the process: every command's context is cancelled and
// stdin readers are woken.
func (p *Process) terminate(sig syscall.Signal) {
	p.cancel(signalError{sig})
	p.stdin.Close()
}

// interrupt stops the commands running now, so that a pending trap runs
// promptly, as a shell waiting on `sleep` or `wait` would.
func (p *Process) interrupt(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fgCancel(signalError{sig})
	p.fg, p.fgCancel = context.WithCancelCause(p.ctx)
}

func (p *Process) rootOf() string { return p.root }

// foreground is the context commands start under.
func (p *Process) foreground() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fg
}

// Resize records the terminal size; LINES and COLUMNS are not updated in a
// running shell, as with a real terminal.
func (p *Process) Resize(h, w uint) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.height, p.width = h, w
	return nil
}
