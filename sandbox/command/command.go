// Package command is the contract between the sandbox and the programs it
// runs: a registry from command name to an implementation, and what an
// implementation may use (an Invocation: args, env, streams, files and
// the System). The utilities of sandbox/coreutils are written against it
// and compiled into the sandbox's WASI module, where FS and System are
// answered through WASI and the host module; the host runs a few
// in-process. It uses only the standard library, so it builds for wasip1.
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path"
	"sort"
	"strings"
	"syscall"
)

// Command is one runnable program.
type Command interface {
	// Run executes inv and returns its exit status. It must return
	// promptly when ctx is cancelled.
	Run(ctx context.Context, inv *Invocation) int
}

// Func adapts a function to Command.
type Func func(ctx context.Context, inv *Invocation) int

// Run calls f.
func (f Func) Run(ctx context.Context, inv *Invocation) int { return f(ctx, inv) }

// Invocation is everything a command may use.
type Invocation struct {
	Args []string // Args[0] is the name it was called by
	Env  []string // KEY=VALUE, exported variables only
	Dir  string   // container working directory, absolute
	// FS is the container's filesystem. Commands the host runs
	// in-process (kill, the shell's printf) touch no files and get nil.
	FS     FS
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Sys    System
}

// User is the identity the container process runs as.
type User struct {
	Name      string
	UID, GID  int
	GroupName string
}

// System is what a command may ask of the sandbox beyond files.
type System interface {
	Hostname() string
	User() User
	// Signal delivers sig to the sandbox process with pseudo pid pid.
	Signal(pid int, sig syscall.Signal) error
	// Exec runs another command line the way the shell would (PATH
	// lookup, scripts, built-ins); env, nice and xargs use it.
	Exec(ctx context.Context, inv *Invocation) int
	// LookPath finds name the way Exec would, for which and command -v.
	LookPath(name string, env []string) (string, error)
	// Dial and Listen reach the network a container may use: the
	// loopback addresses only, checked after name resolution (the
	// sandbox has no network namespace of its own). A refused address's
	// error wraps ErrNotLoopback.
	Dial(ctx context.Context, network, address string) (net.Conn, error)
	Listen(ctx context.Context, network, address string) (net.Listener, error)
	// Kernel is what uname reports of the kernel: the host's, as in a
	// container.
	Kernel() Kernel
}

// Kernel is uname's release, version and machine fields.
type Kernel struct {
	Release, Version, Machine string
}

// ErrNotLoopback is what a refused network destination reports.
var ErrNotLoopback = errors.New("only loopback addresses (127.0.0.0/8, ::1) are reachable from the sandbox")

// Name is the base name the command was invoked as.
func (inv *Invocation) Name() string { return path.Base(inv.Args[0]) }

// Abs makes p absolute against the working directory.
func (inv *Invocation) Abs(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(inv.Dir, p)
}

// Getenv returns the value of key in Env.
func (inv *Invocation) Getenv(key string) string {
	for i := len(inv.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(inv.Env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Errorf prints "name: message" to stderr, busybox style, and returns 1.
func (inv *Invocation) Errorf(format string, args ...any) int {
	fmt.Fprintf(inv.Stderr, "%s: %s\n", inv.Name(), fmt.Sprintf(format, args...))
	return 1
}

// Registry maps command names to implementations. It is safe for
// concurrent lookups once filled.
type Registry struct {
	cmds map[string]Command
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{cmds: map[string]Command{}} }

// Register adds or replaces name.
func (r *Registry) Register(name string, c Command) { r.cmds[name] = c }

// Lookup finds a command by base name.
func (r *Registry) Lookup(name string) (Command, bool) {
	c, ok := r.cmds[name]
	return c, ok
}

// Names lists registered names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.cmds))
	for n := range r.cmds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrText renders err the way C's strerror does ("No such file or
// directory"), which is what busybox and shells print.
func ErrText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
