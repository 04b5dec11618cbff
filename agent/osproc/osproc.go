// Package osproc is an agent.Runtime that runs real operating-system
// processes with os/exec. It is for workloads where the agent wraps the
// image's entrypoint inside the container, so container paths are the
// agent's own paths.
package osproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
)

// defaultWaitDelay bounds how long Wait waits for output after the
// process exits, when a child it left behind still holds the pipes.
const defaultWaitDelay = 2 * time.Second

// Runtime starts processes on this machine.
type Runtime struct {
	// Env is the environment of a process whose spec has none. Nil means
	// the agent's own environment without its SOCKERLESS_* variables
	// (which hold the agent's token).
	Env []string
	// WaitDelay overrides defaultWaitDelay.
	WaitDelay time.Duration
}

var _ agent.Runtime = Runtime{}

// FS is the OS filesystem: the agent runs inside the container, whose
// root is "/" and whose boundary the kernel keeps.
func (Runtime) FS() (archive.FS, error) { return archive.OS{}, nil }

// Start starts spec. With spec.TTY the process gets a pseudo-terminal
// (stdout and stderr merged, as with Docker).
func (r Runtime) Start(ctx context.Context, spec proto.ProcessSpec, stdio agent.Stdio) (agent.Process, error) {
	if len(spec.Args) == 0 {
		return nil, fmt.Errorf("%w: no command", proto.ErrInvalid)
	}
	env := spec.Env
	if len(env) == 0 {
		env = r.Env
	}
	if env == nil {
		env = agentEnv()
	}
	path, err := lookPath(spec.Args[0], env)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, spec.Args[1:]...)
	cmd.Args[0] = spec.Args[0]
	cmd.Env = env
	cmd.Dir = spec.Dir
	cmd.WaitDelay = r.WaitDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = defaultWaitDelay
	}
	if spec.User != "" {
		cred, err := credential(spec.User)
		if err != nil {
			return nil, err
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	p := &process{cmd: cmd, waitDelay: cmd.WaitDelay}
	if spec.TTY {
		err = p.startTTY(spec, stdio)
	} else {
		err = p.startPipes(stdio)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// agentEnv is os.Environ without the agent's own settings.
func agentEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SOCKERLESS_") {
			env = append(env, kv)
		}
	}
	return env
}

// lookPath resolves name with the process's PATH, not the agent's.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathEnv := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%q: %w", name, exec.ErrNotFound) // "executable file not found in $PATH", as runc says
}

func (p *process) startPipes(stdio agent.Stdio) error {
	p.cmd.Stdout, p.cmd.Stderr = stdio.Stdout, stdio.Stderr
	var stdin io.WriteCloser
	if stdio.Stdin != nil {
		// Our own copy, not cmd.Stdin: Wait would otherwise wait for a
		// stdin that may never reach EOF.
		var err error
		if stdin, err = p.cmd.StdinPipe(); err != nil {
			return err
		}
	}
	if err := p.cmd.Start(); err != nil {
		return err
	}
	if stdin != nil {
		go func() {
			_, _ = io.Copy(stdin, stdio.Stdin)
			_ = stdin.Close()
		}()
	}
	return nil
}

func (p *process) startTTY(spec proto.ProcessSpec, stdio agent.Stdio) error {
	size := &pty.Winsize{Rows: uint16(spec.Height), Cols: uint16(spec.Width)}
	if size.Rows == 0 || size.Cols == 0 {
		size = &pty.Winsize{Rows: 24, Cols: 80}
	}
	tty, err := pty.StartWithSize(p.cmd, size)
	if err != nil {
		return err
	}
	p.tty = tty
	p.outDone = make(chan struct{})
	go func() {
		defer close(p.outDone)
		// Ends with EIO once every holder of the terminal has exited.
		_, _ = io.Copy(stdio.Stdout, tty)
	}()
	if stdio.Stdin != nil {
		go func() { _, _ = io.Copy(tty, stdio.Stdin) }()
	}
	return nil
}

// process is a started os/exec command.
type process struct {
	cmd       *exec.Cmd
	tty       *os.File // the terminal's controlling side, with TTY
	outDone   chan struct{}
	waitDelay time.Duration
}

// Wait waits for the exit and the output; a signal death is 128+signal.
func (p *process) Wait() int {
	err := p.cmd.Wait()
	if p.tty != nil {
		select {
		case <-p.outDone:
		case <-time.After(p.waitDelay):
		}
		_ = p.tty.Close()
	}
	st := p.cmd.ProcessState
	if st == nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			st = ee.ProcessState
		}
	}
	if st == nil {
		return -1
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

func (p *process) Signal(sig syscall.Signal) error { return p.cmd.Process.Signal(sig) }

func (p *process) Pid() int { return p.cmd.Process.Pid }

// Resize sets the terminal size.
func (p *process) Resize(h, w uint) error {
	if p.tty == nil {
		return fmt.Errorf("%w: process %d has no TTY to resize", proto.ErrInvalid, p.Pid())
	}
	return pty.Setsize(p.tty, &pty.Winsize{Rows: uint16(h), Cols: uint16(w)})
}
