// Package sandboxrt is the agent's Runtime over the sandbox: the
// processes the agent starts are sandbox processes of its container, and
// archive requests see the container's confined, layered files. The
// agent runs either beside its container in the host's process (local
// mode: Container) or, where the host cannot execute the agent's native
// binary, as the container's own sandbox process: a host that links this
// package (the cloud simulators) registers Native, and when a sandboxed
// container runs the agent's executable the sandbox runs the same agent
// code in its place (Within).
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

// Runtime is the agent's Runtime for one sandbox container.
type Runtime struct {
	// container is the container's root, image, mounts, hostname and
	// limits; its process fields are unused.
	container sandbox.Spec
	// self is the agent's own sandbox process when it runs inside the
	// container; nil when it runs beside it.
	self *sandbox.NativeProcess
}

var _ agent.Runtime = Runtime{}

// Container is the Runtime of an agent running beside container c in
// the host's process: each process it starts is a new sandbox process
// of c. Only c's root, image, mounts, hostname and limits count.
func Container(c sandbox.Spec) Runtime { return Runtime{container: c} }

// Within is the Runtime of an agent running as the sandbox process p:
// what it starts runs in p's container and ends with p.
func Within(p *sandbox.NativeProcess) Runtime { return Runtime{self: p} }

// Start starts spec in the container. Inside the container, a spec
// without an environment gets the agent's own without its SOCKERLESS_*
// variables (which hold its token), and one without a directory the
// agent's, as osproc does for an agent in a real container.
func (r Runtime) Start(ctx context.Context, spec proto.ProcessSpec, stdio agent.Stdio) (agent.Process, error) {
	ps := sandbox.ProcessSpec{
		Args: spec.Args, Env: spec.Env, Dir: spec.Dir, User: spec.User,
		TTY: spec.TTY, Height: spec.Height, Width: spec.Width,
	}
	std := sandbox.Stdio{Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr}
	var p *sandbox.Process
	var err error
	if r.self != nil {
		if len(ps.Env) == 0 {
			ps.Env = withoutAgentVars(r.self.Env)
		}
		if ps.Dir == "" {
			ps.Dir = r.self.Dir
		}
		p, err = r.self.Start(ctx, ps, std)
	} else {
		p, err = sandbox.Start(ctx, r.container.Process(ps), std)
	}
	if err != nil {
		return nil, err
	}
	return process{p}, nil
}

// FS is the container's view, confined as its processes' is.
func (r Runtime) FS() (archive.FS, error) {
	if r.self != nil {
		return FS{r.self.FS}, nil
	}
	return NewFS(r.container.Root, r.container.Image, r.container.Mounts)
}

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
// package.
type FS struct{ *rootfs.FS }

var _ archive.FS = FS{}

// NewFS is the view of a container with writable layer root over image
// (when not ""), with mounts, as its processes see it.
func NewFS(root, image string, mounts []sandbox.Mount) (FS, error) {
	f, err := sandbox.FS(root, image, mounts)
	if err != nil {
		return FS{}, err
	}
	return FS{f}, nil
}

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
