package lambda

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox"
)

// boxSpec is an image function whose entrypoint the sandbox runs
// in-process (see image.go): each instance is a sandbox process over the
// unpacked image, with a writable root of its own.
type boxSpec struct {
	image string   // the unpacked image, a read-only template
	args  []string // entrypoint and command, container paths
	dir   string   // container working directory
	roots string   // host directory holding each instance's own files
}

// boxProc is an instance running in the sandbox.
type boxProc struct {
	p   *sandbox.Process
	dir string // the instance's root and /tmp
}

// startBox starts an instance over the image with a writable root of its
// own and, as Lambda gives every execution environment, a scratch /tmp.
func startBox(sp *spec, env []string, out *os.File) (boxProc, error) {
	dir, err := os.MkdirTemp(sp.box.roots, "instance-")
	if err != nil {
		return boxProc{}, err
	}
	root, tmp := filepath.Join(dir, "root"), filepath.Join(dir, "tmp")
	for _, d := range []string{root, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			os.RemoveAll(dir)
			return boxProc{}, err
		}
	}
	p, err := sandbox.Start(context.Background(), sandbox.Spec{
		Root: root, Image: sp.box.image, Mounts: []sandbox.Mount{{Source: tmp, Target: "/tmp"}},
		Args: sp.box.args, Env: env, Dir: sp.box.dir, Memory: int64(sp.memory) << 20,
	}, sandbox.Stdio{Stdout: out, Stderr: out})
	if err != nil {
		os.RemoveAll(dir)
		return boxProc{}, err
	}
	return boxProc{p: p, dir: dir}, nil
}

// kill ends the instance's first process; the processes it started end
// with it, as in a container.
func (b boxProc) kill() { b.p.Signal(syscall.SIGKILL) }

// wait waits for the instance to end and removes its writable root once
// none of its processes can write there any more.
func (b boxProc) wait() error {
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

// maxRSS is unknown: the instance shares the simulator's own process.
func (boxProc) maxRSS() int { return 0 }
