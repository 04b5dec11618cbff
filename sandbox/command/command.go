// Package command is the contract between the sandbox and the programs it
// runs: a registry from command name to an implementation. Built-ins in Go
// (sandbox/coreutils) are one implementation; WASI modules under wazero
// slot in as another, since an Invocation says exactly which files, args,
// env and streams a program gets, and nothing is ambient.
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/sockerless/sockerless/sandbox/rootfs"
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
	Args   []string // Args[0] is the name it was called by
	Env    []string // KEY=VALUE, exported variables only
	Dir    string   // container working directory, absolute
	FS     *rootfs.FS
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
}

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

// Stdio is the invocation's streams as rootfs sees them for /dev/std*.
func (inv *Invocation) Stdio() rootfs.Stdio {
	return rootfs.Stdio{In: inv.Stdin, Out: inv.Stdout, Err: inv.Stderr}
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
