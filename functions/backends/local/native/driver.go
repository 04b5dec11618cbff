//go:build linux && cgo

// Package native is local mode's third runtime: each container is a
// process tree of its own in Linux namespaces (mount, PID, UTS, IPC,
// network), under cgroup limits, rooted in an overlay of the image's
// unpacked layers, through runc's libcontainer. Its init is the same
// static agent the engine runtime injects, which dials the edge as in
// every runtime. Images, logs, volumes, the container's files at rest
// and builds are the sandbox runtime's (functions/backends/local), over the same
// directories.
package native

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/opencontainers/runc/libcontainer"

	"github.com/sockerless/sockerless/agent/agentbin"
	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// Config configures a Driver.
type Config struct {
	// Dir holds the driver's files: images, containers, volumes, the
	// agent binary and libcontainer's state.
	Dir string
	// AgentURL is where agents dial the edge.
	AgentURL string
	// AgentBinary is a static agent binary; empty builds one (see
	// package agentbin).
	AgentBinary string
	Log         *slog.Logger
}

// Driver implements core.Compute with libcontainer, and the rest of
// what local mode needs with the sandbox runtime's driver it embeds.
type Driver struct {
	*local.Driver

	agentURL string
	agent    *agentbin.Binary
	state    string // libcontainer's state directory
	log      *slog.Logger

	bridges bridges
	// rootless: containers run in user namespaces (see rootless.go).
	rootless bool

	mu        sync.Mutex
	workloads map[string]*workload
}

// workload is one start of a container.
type workload struct {
	c     *libcontainer.Container
	proxy *edgeProxy // nil on the host's network
	name  string
	net   *startNet
	// endpoints are its addresses on bridge networks, and the names its
	// peers on user-defined ones know it by.
	endpoints []core.Endpoint
	// cgroups are its cgroup directories (see cgroupPaths).
	cgroups map[string]string
	// lc serializes Processes with Destroy: libcontainer's Processes
	// reads the container's init without its own lock when the cgroup
	// is unreadable (always, rootless) while Destroy clears it.
	lc sync.Mutex
	// lastStats is the previous Stats sample, the next one's PreCPUStats.
	lastStats container.StatsResponse
	done      chan struct{}
	status    core.WorkloadStatus
}

// New opens the driver's files under cfg.Dir, after checking this
// process can run containers (see Supported), and tidies what a
// previous process left when it died with containers running.
func New(ctx context.Context, cfg Config) (*Driver, error) {
	if err := Supported(); err != nil {
		return nil, fmt.Errorf("%w: use --runtime sandbox", err)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ld, err := local.New(ctx, local.Config{Dir: cfg.Dir, AgentURL: cfg.AgentURL, Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	d := &Driver{
		Driver: ld, agentURL: cfg.AgentURL, log: cfg.Log,
		agent:     agentbin.New(cfg.AgentBinary, filepath.Join(cfg.Dir, "native", "agent")),
		state:     filepath.Join(cfg.Dir, "native", "state"),
		workloads: map[string]*workload{},
		rootless:  nsrun.Rootless(),
	}
	if err := os.MkdirAll(d.state, 0o700); err != nil {
		return nil, err
	}
	if err := d.recover(); err != nil {
		return nil, err
	}
	return d, nil
}

// Warm installs the agent binary now rather than at the first start.
func (d *Driver) Warm() error { _, err := d.agent.Path(); return err }

// cgroupPath is the cgroup of container id, under one parent for all.
func cgroupPath(id string) string { return "/sockerless/" + id }

// Prepare gives the container its writable layer and Docker's files
// (/etc/hostname, /etc/hosts, /etc/resolv.conf).
func (d *Driver) Prepare(ctx context.Context, w core.Workload) error {
	if err := d.Driver.Prepare(ctx, w); err != nil {
		return err
	}
	mode, _ := networkOf(w.NetworkMode)
	return d.writeEtc(ctx, w, mode, nil)
}

// previousRunGrace is how long a start waits for the previous run to be
// torn down after its agent reported the exit.
const previousRunGrace = 5 * time.Second

// Start runs the workload: the agent as the init of a new container,
// wrapping the main process, which it starts once the edge says so.
func (d *Driver) Start(ctx context.Context, w core.Workload) error {
	if err := d.waitPrevious(ctx, w.ID); err != nil {
		return err
	}
	agent, err := d.agent.Path()
	if err != nil {
		return err
	}
	agentURL, err := w.AgentURLOr(d.agentURL)
	if err != nil {
		return err
	}
	lower, err := d.ImageRoot(ctx, w.ImageID)
	if err != nil {
		return err
	}
	if _, err := os.Stat(d.UpperDir(w.ID)); err != nil {
		// Core prepares every container; one whose files are gone
		// cannot start.
		return fmt.Errorf("container %s has no filesystem: %w", w.ID, err)
	}
	sn, err := d.startNet(w)
	if err != nil {
		return err
	}
	// As dockerd does at each start: /etc/hosts names the start's peers.
	if err := d.writeEtc(ctx, w, sn.mode, d.peersOf(w)); err != nil {
		return errors.Join(err, d.releaseNet(sn))
	}
	rootfs, err := d.mountRootfs(w.ID, lower, sn)
	if err != nil {
		return errors.Join(err, d.releaseNet(sn))
	}
	wl, err := d.run(w, rootfs, agent, agentURL, sn)
	sn.joined()
	if err != nil {
		return errors.Join(err, d.releaseNet(sn), d.unmountRootfs(w.ID))
	}
	wl.name, wl.endpoints = w.Name, w.Endpoints
	d.mu.Lock()
	d.workloads[w.ID] = wl
	d.mu.Unlock()
	return nil
}

// waitPrevious gives a run whose agent reported its exit a moment to be
// torn down: core may start the container again before that.
func (d *Driver) waitPrevious(ctx context.Context, id string) error {
	ended, err := d.waitEnd(ctx, id, previousRunGrace)
	if err == nil && !ended {
		err = fmt.Errorf("container %s is already running", id)
	}
	return err
}

// waitEnd waits up to within for container id's run to be torn down and
// says whether it is (also when none is known).
func (d *Driver) waitEnd(ctx context.Context, id string, within time.Duration) (bool, error) {
	d.mu.Lock()
	wl, ok := d.workloads[id]
	d.mu.Unlock()
	if !ok {
		return true, nil
	}
	select {
	case <-wl.done:
		return true, nil
	case <-time.After(within):
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// Status reports what the driver knows of id's latest start.
func (d *Driver) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	d.mu.Lock()
	wl, ok := d.workloads[id]
	var st core.WorkloadStatus
	if ok {
		st = wl.status
	}
	d.mu.Unlock()
	if ok && st.Running {
		wl.lc.Lock()
		if pids, err := wl.c.Processes(); err == nil {
			st.Procs = len(pids)
		}
		wl.lc.Unlock()
		// The agent reports main's exit while the container lives on.
		st.OOMKilled = oomKilled(wl.cgroups)
	}
	return st, nil
}

// Stop kills the container's processes without the agent's help: its
// init dies, and with it its PID namespace.
func (d *Driver) Stop(ctx context.Context, id string) error {
	d.mu.Lock()
	wl, ok := d.workloads[id]
	d.mu.Unlock()
	if !ok {
		return nil
	}
	select {
	case <-wl.done:
		return nil
	default:
	}
	if err := wl.c.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, libcontainer.ErrNotRunning) {
		d.log.Warn("native: kill", "id", id, "err", err)
	}
	ended, err := d.waitEnd(ctx, id, 10*time.Second)
	if err == nil && !ended {
		err = fmt.Errorf("container %s did not stop within 10s", shortID(id))
	}
	return err
}

// Remove stops the container and frees its mount, cgroup and files.
func (d *Driver) Remove(ctx context.Context, id string) error {
	if err := d.Stop(ctx, id); err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.workloads, id)
	d.mu.Unlock()
	if err := d.unmountRootfs(id); err != nil {
		return err
	}
	return d.Driver.Remove(ctx, id)
}

// Close stops every container this driver runs, as the other runtimes
// do: their agents dial an edge that ends with local mode.
func (d *Driver) Close() error {
	d.mu.Lock()
	ids := make([]string, 0, len(d.workloads))
	for id := range d.workloads {
		ids = append(ids, id)
	}
	d.mu.Unlock()
	return errors.Join(core.StopAll(ids, 15*time.Second, d.Stop), d.bridges.close(), d.Driver.Close())
}

// recover tears down what a process that died with containers running
// left: libcontainer states (their processes and cgroups) and overlay
// mounts, so each container is at rest again.
func (d *Driver) recover() error {
	ents, err := os.ReadDir(d.state)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		id := e.Name()
		if c, err := libcontainer.Load(d.state, id); err == nil {
			errs = append(errs, killAndDestroy(c))
		} else {
			errs = append(errs, os.RemoveAll(filepath.Join(d.state, id)))
		}
		if _, err := os.Stat(d.ContainerDir(id)); err == nil {
			errs = append(errs, d.unmountRootfs(id))
		}
	}
	return errors.Join(errs...)
}

// killAndDestroy kills a container whose init nobody waits for and
// destroys it once the kernel has reaped it, as runc delete --force.
func killAndDestroy(c *libcontainer.Container) error {
	_ = c.Signal(syscall.SIGKILL)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st, err := c.Status(); err != nil || st == libcontainer.Stopped {
			break
		}
	}
	return c.Destroy()
}

var (
	_ core.Compute  = (*Driver)(nil)
	_ core.Preparer = (*Driver)(nil)
	_ core.Images   = (*Driver)(nil)
	_ core.Meter    = (*Driver)(nil)
)

// shortID is the first 12 characters of an ID, as Docker shows it.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
