//go:build linux && cgo

package native

import (
	"errors"
	"fmt"
	"time"

	"github.com/opencontainers/runc/libcontainer"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// run creates the libcontainer container of w over rootfs and starts
// the agent as its init; a goroutine waits for it and tears it down.
func (d *Driver) run(w core.Workload, rootfs, agentBin, agentURL string, net *startNet) (*workload, error) {
	var proxy *edgeProxy
	if net.mode != netHost {
		var err error
		if proxy, err = startEdgeProxy(agentURL); err != nil {
			return nil, err
		}
	}
	wl, err := d.create(w, rootfs, agentBin, agentURL, net, proxy)
	if err != nil && proxy != nil {
		_ = proxy.close()
	}
	return wl, err
}

func (d *Driver) create(w core.Workload, rootfs, agentBin, agentURL string, net *startNet, proxy *edgeProxy) (*workload, error) {
	edgeSock := ""
	if proxy != nil {
		edgeSock = proxy.path()
	}
	cfg, err := containerConfig(w, rootfs, agentBin, edgeSock, cgroupPath(w.ID), net)
	if err != nil {
		return nil, err
	}
	user, err := nsrun.ResolveUser(rootfs, w.Main.User)
	if err == nil {
		err = nsrun.WithGroups(rootfs, user, w.GroupAdd)
	}
	if err == nil && d.rootless {
		err = rootlessUser(w, user)
	}
	if err != nil {
		return nil, err
	}
	cwd := w.Main.Dir
	if cwd == "" {
		cwd = "/"
	}
	if err := nsrun.MkdirIn(rootfs, cwd); err != nil {
		return nil, err
	}
	// A previous process may have died before tearing its state down.
	if old, err := libcontainer.Load(d.state, w.ID); err == nil {
		_ = killAndDestroy(old)
	}
	c, err := libcontainer.Create(d.state, w.ID, cfg)
	if err != nil {
		return nil, fmt.Errorf("create container %s: %w", shortID(w.ID), err)
	}
	logs, err := d.OpenLog(w.ID)
	if err != nil {
		_ = c.Destroy()
		return nil, err
	}
	env := nsrun.WithHome(append([]string{}, w.Main.Env...), user.Home)
	env = append(env,
		"SOCKERLESS_EDGE_URL="+agentURL,
		"SOCKERLESS_CONTAINER_ID="+w.ID,
		"SOCKERLESS_TOKEN="+w.Token,
	)
	if proxy != nil {
		env = append(env, "SOCKERLESS_EDGE_SOCKET="+edgeSocket)
	}
	if w.Main.Stdin {
		env = append(env, "SOCKERLESS_STDIN=1")
	}
	if w.Main.TTY {
		env = append(env, "SOCKERLESS_TTY=1")
	}
	env = append(env, w.Health.Env()...)
	p := &libcontainer.Process{
		Args: append([]string{agentPath}, w.Main.Args...), Env: env, Cwd: cwd,
		UID: user.Uid, GID: user.Gid, AdditionalGroups: user.Sgids,
		Stdout: streamWriter{logs, 1}, Stderr: streamWriter{logs, 2},
		Init: true,
	}
	if err := c.Run(p); err != nil {
		logs.Close()
		_ = c.Destroy()
		return nil, fmt.Errorf("start container %s: %w", shortID(w.ID), err)
	}
	pid, _ := p.Pid()
	wl := &workload{c: c, proxy: proxy, net: net, cgroups: cgroupPaths(c), done: make(chan struct{}), status: core.WorkloadStatus{Running: true, Known: true, Pid: pid}}
	go d.wait(w.ID, wl, p, logs)
	return wl, nil
}

// wait waits for the container's init to exit, records how, and tears
// the container down: its cgroup, state and overlay mount.
func (d *Driver) wait(id string, wl *workload, p *libcontainer.Process, logs interface{ Close() error }) {
	defer close(wl.done)
	code, msg := nsrun.ExitStatus(p.Wait())
	oomKilled := oomKilled(wl.cgroups)
	err := errors.Join(d.teardown(id, wl), logs.Close())
	if err != nil {
		d.log.Warn("native: teardown", "id", id, "err", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	wl.status = core.WorkloadStatus{
		Known: true, ExitCode: code, FinishedAt: time.Now().UTC(),
		Error: msg, OOMKilled: oomKilled,
	}
}

// teardown destroys the container (its remaining processes, cgroup and
// state) and unmounts its root, leaving its layer at rest.
func (d *Driver) teardown(id string, wl *workload) error {
	wl.lc.Lock()
	err := wl.c.Destroy()
	wl.lc.Unlock()
	err = errors.Join(err, d.releaseNet(wl.net), d.unmountRootfs(id))
	if wl.proxy != nil {
		err = errors.Join(err, wl.proxy.close())
	}
	return err
}

// streamWriter writes one stream of the container's output to its log.
type streamWriter struct {
	sink   agent.LogSink
	stream int
}

func (s streamWriter) Write(p []byte) (int, error) {
	s.sink.Log(s.stream, p) // the log encodes p before returning
	return len(p), nil
}
