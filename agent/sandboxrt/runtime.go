// Package sandboxrt runs sockerless's agent inside the sandbox, in-process.
// The sandbox cannot execute the agent's native binary, so a host that
// links this package (the cloud simulators) registers Native: when a
// sandboxed container runs the agent's executable, the sandbox runs the
// same agent code in its place, and the processes the agent starts are
// sandbox processes of the same container, over the image's files.
package sandboxrt

import (
	"context"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// Runtime is the agent's Runtime for an agent running as the sandbox
// process P: what it starts runs in P's container.
type Runtime struct{ P *sandbox.NativeProcess }

var _ agent.Runtime = Runtime{}

// Start starts spec in the container. A spec without an environment gets
// the agent's own without its SOCKERLESS_* variables (which hold its
// token), and one without a directory the agent's, as osproc does for an
// agent in a real container.
func (r Runtime) Start(ctx context.Context, spec proto.ProcessSpec, stdio agent.Stdio) (agent.Process, error) {
	env, dir := spec.Env, spec.Dir
	if len(env) == 0 {
		env = withoutAgentVars(r.P.Env)
	}
	if dir == "" {
		dir = r.P.Dir
	}
	p, err := r.P.Start(ctx, sandbox.ProcessSpec{
		Args: spec.Args, Env: env, Dir: dir, User: spec.User,
		TTY: spec.TTY, Height: spec.Height, Width: spec.Width,
	}, sandbox.Stdio{Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr})
	if err != nil {
		return nil, err
	}
	return process{p}, nil
}

// FS is the container's view, confined as its processes' is.
func (r Runtime) FS() (archive.FS, error) { return FS{r.P.FS}, nil }

func withoutAgentVars(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "SOCKERLESS_") {
			out = append(out, kv)
		}
	}
	return out
}

// FS adapts the sandbox's confined, layered filesystem to the archive
// package (as functions/local does for local mode).
type FS struct{ *rootfs.FS }

var _ archive.FS = FS{}

// Create truncates or creates a regular file for writing.
func (f FS) Create(name string, perm fs.FileMode) (io.WriteCloser, error) {
	return f.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm, rootfs.Stdio{})
}

// process adapts *sandbox.Process to agent.Process.
type process struct{ p *sandbox.Process }

func (p process) Wait() int                       { return p.p.Wait() }
func (p process) Signal(sig syscall.Signal) error { return p.p.Signal(sig) }
func (p process) Resize(h, w uint) error          { return p.p.Resize(h, w) }
func (p process) Pid() int                        { return p.p.Pid() }
