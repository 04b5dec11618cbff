package taskrun

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"syscall"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// The runtimes a simulator runs its workloads with.
const (
	// RuntimeSandbox runs them in the sandbox: shell and its utilities,
	// no native binaries, no privileges.
	RuntimeSandbox = "sandbox"
	// RuntimeNative runs them in Linux namespaces over the image's real
	// binaries (sandbox/nsrun): root needed.
	RuntimeNative = "native"
	// RuntimeAuto is native where this process can run it, else the
	// sandbox.
	RuntimeAuto = "auto"
)

// Proc is a running container, whichever runtime runs it.
type Proc interface {
	Pid() int
	Signal(syscall.Signal) error
	Done() <-chan struct{}
	// Wait returns the exit code (128+N for signal N).
	Wait() int
}

// Container is one container for a Runtime to run.
type Container struct {
	// ID names it uniquely in the simulator (letters, digits, - and _).
	ID string
	// Image is the unpacked image (imagefs), a read-only template; Root
	// is the container's own directory (Workspace.ContainerRoot).
	Image, Root string
	Args, Env   []string
	Dir, User   string
	Hostname    string
	Memory      int64 // bytes; 0 is no limit
	Mounts      []sandbox.Mount
	Stdout      io.Writer
	Stderr      io.Writer
}

// Runtime runs containers: with the native runtime when Native is set,
// else in the sandbox.
type Runtime struct {
	Native bool
	// State is libcontainer's state directory (native only).
	State string
}

// NewRuntime resolves name (RuntimeAuto when ""): native where
// nsrun.Supported allows it, else the sandbox; naming native where it
// cannot run is an error that says why. state is the native runtime's
// directory for its containers' state.
func NewRuntime(name, state string) (Runtime, error) {
	switch name {
	case RuntimeSandbox:
		return Runtime{}, nil
	case RuntimeNative:
		if err := nsrun.Supported(); err != nil {
			return Runtime{}, fmt.Errorf("%w: use --runtime sandbox", err)
		}
		return Runtime{Native: true, State: state}, nil
	case "", RuntimeAuto:
		return Runtime{Native: nsrun.Supported() == nil, State: state}, nil
	}
	return Runtime{}, fmt.Errorf("unknown runtime %q (want %s, %s or %s)", name, RuntimeAuto, RuntimeSandbox, RuntimeNative)
}

// Name is the runtime's name.
func (r Runtime) Name() string {
	if r.Native {
		return RuntimeNative
	}
	return RuntimeSandbox
}

// Start starts c; it is killed (SIGKILL) when ctx is done. A native
// container shares the host's network, as the sandbox's do: its agent
// dials the edge on loopback.
func (r Runtime) Start(ctx context.Context, c Container) (Proc, error) {
	if !r.Native {
		return sandbox.Start(ctx, sandbox.Spec{
			Root: c.Root, Image: c.Image, Args: c.Args, Env: c.Env, Dir: c.Dir, User: c.User,
			Hostname: c.Hostname, Memory: c.Memory, Mounts: c.Mounts,
		}, sandbox.Stdio{Stdout: c.Stdout, Stderr: c.Stderr})
	}
	spec := nsrun.Spec{Hostname: c.Hostname, HostNetwork: true, Cgroup: "/sockerless-sim/" + c.ID, Memory: c.Memory}
	for _, m := range c.Mounts {
		opts := []string{"rbind"}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		spec.Mounts = append(spec.Mounts, nsrun.Mount{Source: m.Source, Target: m.Target, Options: opts})
	}
	return nsrun.Start(ctx, nsrun.RunSpec{
		Spec: spec, ID: c.ID, State: r.State, Lower: c.Image, Dir: filepath.Join(c.Root, "native"),
		Args: c.Args, Env: c.Env, WorkDir: c.Dir, User: c.User, Stdout: c.Stdout, Stderr: c.Stderr,
	})
}
