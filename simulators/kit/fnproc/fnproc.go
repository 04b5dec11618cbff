// Package fnproc runs a function's process: the real function binary as a
// host process in its own process group, or a program run over an
// unpacked image with a writable root of its own (by the sandbox
// in-process, or as a native container); and
// the pipe its output goes through, read back as lines.
//
// The platform's contract with the process (the env it gets, how events
// reach it) stays with the simulated service. The AWS simulator's Lambda
// runs each instance's bootstrap with it and serves the Runtime API
// beside it; a GCP simulator's Cloud Run functions runs the function
// binary with it and sends it HTTP requests on $PORT.
package fnproc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// Process is a running function process.
type Process interface {
	// Kill ends it and whatever it started.
	Kill()
	// Wait waits for it to end; a non-zero exit is an error.
	Wait() error
	// MaxRSS is its peak resident memory in MB; 0 when it cannot be known.
	MaxRSS() int
}

// Host is a process to run on the host.
type Host struct {
	Argv []string
	Dir  string
}

// Start starts h with env, its stdout and stderr both to out, in a
// process group of its own so Kill ends whatever it spawned too.
func (h Host) Start(env []string, out *os.File) (Process, error) {
	cmd := exec.Command(h.Argv[0], h.Argv[1:]...)
	cmd.Dir = h.Dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return hostProc{cmd}, cmd.Start()
}

type hostProc struct{ cmd *exec.Cmd }

func (h hostProc) Kill()       { syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL) }
func (h hostProc) Wait() error { return h.cmd.Wait() }

// MaxRSS reads the process's high-water mark from /proc.
func (h hostProc) MaxRSS() int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return (kb + 1023) / 1024
		}
	}
	return 0
}

// Box is a program run over an unpacked image: by the sandbox,
// in-process, or as a native container when Runtime says so.
type Box struct {
	Image  string   // the unpacked image, a read-only template
	Args   []string // entrypoint and command, container paths
	Dir    string   // container working directory
	Roots  string   // host directory holding each instance's own files
	Memory int64    // bytes; 0 means no limit
	// Mounts are host directories the instance sees (a function's file
	// systems), besides its own /tmp.
	Mounts []sandbox.Mount
	// Runtime runs it (the zero value: the sandbox).
	Runtime taskrun.Runtime
}

// Start starts an instance of b over the image with a writable root of
// its own and a scratch /tmp, as a function's execution environment has.
func (b Box) Start(env []string, out *os.File) (Process, error) {
	dir, err := os.MkdirTemp(b.Roots, "instance-")
	if err != nil {
		return nil, err
	}
	root, tmp := filepath.Join(dir, "root"), filepath.Join(dir, "tmp")
	for _, d := range []string{root, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	mounts := append([]sandbox.Mount{{Source: tmp, Target: "/tmp"}}, b.Mounts...)
	if b.Runtime.Native {
		p, err := b.Runtime.Start(context.Background(), taskrun.Container{
			ID: "lambda-" + filepath.Base(dir), Image: b.Image, Root: root, Args: b.Args, Env: env, Dir: b.Dir,
			Memory: b.Memory, Mounts: mounts, Stdout: out, Stderr: out,
		})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		return nativeProc{p: p, dir: dir}, nil
	}
	p, err := sandbox.Start(context.Background(), sandbox.Spec{
		Root: root, Image: b.Image, Mounts: mounts, Args: b.Args, Env: env, Dir: b.Dir, Memory: b.Memory,
	}, sandbox.Stdio{Stdout: out, Stderr: out})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return boxProc{p: p, dir: dir}, nil
}

// nativeProc is a Box instance in a native container.
type nativeProc struct {
	p   taskrun.Proc
	dir string // the instance's root and /tmp
}

// Kill ends the container's init, and with it the container.
func (n nativeProc) Kill() { _ = n.p.Signal(syscall.SIGKILL) }

// Wait waits for the container to end and be torn down, then removes
// the instance's files.
func (n nativeProc) Wait() error {
	code := n.p.Wait()
	os.RemoveAll(n.dir)
	if code != 0 {
		return fmt.Errorf("exit status %d", code)
	}
	return nil
}

// MaxRSS is not metered for native instances yet.
func (nativeProc) MaxRSS() int { return 0 }

type boxProc struct {
	p   *sandbox.Process
	dir string // the instance's root and /tmp
}

// Kill ends the instance's first process; the processes it started end
// with it, as in a container.
func (b boxProc) Kill() { b.p.Signal(syscall.SIGKILL) }

// Wait waits for the instance to end and removes its writable root once
// none of its processes can write there any more.
func (b boxProc) Wait() error {
	code := b.p.Wait()
	root := filepath.Join(b.dir, "root")
	for deadline := time.Now().Add(5 * time.Second); len(sandbox.ProcessesIn(root)) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	os.RemoveAll(b.dir)
	if code != 0 {
		return fmt.Errorf("exit status %d", code)
	}
	return nil
}

// MaxRSS is unknown: the instance shares the simulator's own process.
func (boxProc) MaxRSS() int { return 0 }
