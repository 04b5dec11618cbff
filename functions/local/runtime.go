package local

import (
	"context"
	"syscall"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox"
)

// runtime is the agent's Runtime over the sandbox: every process of a
// container runs in the same root and mounts.
type runtime struct {
	root     string // the container's writable layer
	image    string // the image's read-only filesystem under it
	mounts   []core.Mount
	hostname string
	memory   int64 // bytes per process; 0 is the sandbox's default
	pids     int64 // live processes per container; 0 is the sandbox's default
}

// sandboxMounts converts core's resolved mounts to the sandbox's.
func sandboxMounts(mounts []core.Mount) []sandbox.Mount {
	ms := make([]sandbox.Mount, len(mounts))
	for i, m := range mounts {
		ms[i] = sandbox.Mount{Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
	}
	return ms
}

func (r *runtime) Start(ctx context.Context, spec proto.ProcessSpec, stdio agent.Stdio) (agent.Process, error) {
	p, err := sandbox.Start(ctx, sandbox.Spec{
		Root: r.root, Image: r.image, Mounts: sandboxMounts(r.mounts), Args: spec.Args, Env: spec.Env, Dir: spec.Dir,
		Hostname: r.hostname, User: spec.User, TTY: spec.TTY, Height: spec.Height, Width: spec.Width,
		Memory: r.memory, PidsLimit: r.pids,
	}, sandbox.Stdio{Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr})
	if err != nil {
		return nil, err
	}
	return process{p}, nil
}

// FS is the container's merged filesystem, for archive requests.
func (r *runtime) FS() (archive.FS, error) {
	return containerFS(r.root, r.image, r.mounts)
}

// process adapts *sandbox.Process to agent.Process.
type process struct{ p *sandbox.Process }

func (p process) Wait() int                       { return p.p.Wait() }
func (p process) Signal(sig syscall.Signal) error { return p.p.Signal(sig) }
func (p process) Resize(h, w uint) error          { return p.p.Resize(h, w) }
func (p process) Pid() int                        { return p.p.Pid() }
