//go:build linux && cgo

package nsrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/opencontainers/runc/libcontainer"
)

// Process is a container Start started: its init is the process.
type Process struct {
	c    *libcontainer.Container
	pid  int
	done chan struct{}
	code int
	// holder holds a rootless container's namespaces and overlay.
	holder *Holder
}

// Start mounts rs's root, creates its container and starts rs.Args as
// its init; the container is torn down (processes, cgroup, state, the
// overlay mount) when the init ends or ctx is done (SIGKILL first).
func Start(ctx context.Context, rs RunSpec) (*Process, error) {
	upper, work, merged := filepath.Join(rs.Dir, "upper"), filepath.Join(rs.Dir, "work"), filepath.Join(rs.Dir, "merged")
	for _, d := range []string{upper, work, merged} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	var h *Holder
	if Rootless() {
		var err error
		if h, err = RootlessRoot(&rs.Spec, RootSpec{Lower: rs.Lower, Upper: upper, Work: work, Merged: merged}); err != nil {
			return nil, err
		}
	} else if err := MountOverlay(rs.Lower, upper, work, merged); err != nil {
		return nil, err
	}
	p, lp, err := start(rs, merged)
	if err != nil {
		return nil, errors.Join(err, h.Close(), unmount(merged, work))
	}
	p.holder = h
	go p.wait(ctx, lp, merged, work)
	return p, nil
}

// RootlessRoot starts the holder of a rootless container's root rs and
// points s at its namespaces: a network namespace of its own unless s
// keeps the host's or joins one.
func RootlessRoot(s *Spec, rs RootSpec) (*Holder, error) {
	rs.Net = !s.HostNetwork && s.NetNS == ""
	h, err := StartHolder(rs)
	if err != nil {
		return nil, err
	}
	s.UserNS, s.MountNS = h.NS("user"), h.NS("mnt")
	if rs.Net {
		s.NetNS = h.NS("net")
	}
	return h, nil
}

func start(rs RunSpec, rootfs string) (*Process, *libcontainer.Process, error) {
	s := rs.Spec
	s.Rootfs = rootfs
	cfg, err := Config(s)
	if err != nil {
		return nil, nil, err
	}
	u, err := ResolveUser(rootfs, rs.User)
	if err != nil {
		return nil, nil, err
	}
	cwd := rs.WorkDir
	if cwd == "" {
		cwd = "/"
	}
	if err := MkdirIn(rootfs, cwd); err != nil {
		return nil, nil, err
	}
	if len(rs.Args) == 0 {
		return nil, nil, errors.New("no command to run")
	}
	c, err := libcontainer.Create(rs.State, rs.ID, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("create container %s: %w", rs.ID, err)
	}
	lp := &libcontainer.Process{
		Args: rs.Args, Env: WithHome(append([]string{}, rs.Env...), u.Home), Cwd: cwd,
		UID: u.Uid, GID: u.Gid, AdditionalGroups: u.Sgids,
		Stdout: rs.Stdout, Stderr: rs.Stderr, Init: true,
	}
	if err := c.Run(lp); err != nil {
		_ = c.Destroy()
		return nil, nil, fmt.Errorf("start container %s: %w", rs.ID, err)
	}
	pid, _ := lp.Pid()
	return &Process{c: c, pid: pid, done: make(chan struct{})}, lp, nil
}

// wait waits for the init to end, killing the container when ctx ends
// first, and tears it down before Done.
func (p *Process) wait(ctx context.Context, lp *libcontainer.Process, merged, work string) {
	exited := make(chan struct{})
	go func() {
		select {
		case <-exited:
		case <-ctx.Done():
			_ = p.c.Signal(syscall.SIGKILL)
		}
	}()
	ps, err := lp.Wait()
	close(exited)
	p.code, _ = ExitStatus(ps, err)
	_ = errors.Join(p.c.Destroy(), p.holder.Close(), unmount(merged, work))
	close(p.done)
}

func unmount(merged, work string) error {
	return errors.Join(Unmount(merged), RemoveAll(work), os.Remove(merged))
}

// RemoveAll is os.RemoveAll that also removes the directories without
// permissions an overlay mounted in a user namespace leaves in its work
// directory (work/work, mode 0, owned by this user).
func RemoveAll(dir string) error {
	err := os.RemoveAll(dir)
	if err == nil || !errors.Is(err, os.ErrPermission) {
		return err
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d != nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

// Pid is the init's process ID on the host.
func (p *Process) Pid() int { return p.pid }

// Signal sends sig to the container's init.
func (p *Process) Signal(sig syscall.Signal) error { return p.c.Signal(sig) }

// Done is closed when the init has ended and the container is gone.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the init to end and the container to be torn down,
// and returns the init's exit code (128+N for signal N, as dockerd
// reports it).
func (p *Process) Wait() int {
	<-p.done
	return p.code
}

// ExitStatus is the exit code of a container's init as dockerd reports
// it, from what libcontainer's Process.Wait returned: its code, or
// 128+N when signal N ended it; 255 with why when it cannot be known.
func ExitStatus(ps *os.ProcessState, err error) (int, string) {
	switch {
	case ps == nil:
		return 255, fmt.Sprintf("waiting for the container's init: %v", err)
	case ps.Exited():
		return ps.ExitCode(), ""
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), ""
	}
	return 255, ""
}
