// Package local is the local-mode backend: workloads run in-process in
// the sandbox, each wrapped by the real agent, which dials the edge over
// loopback exactly as a reverse agent in a cloud function would.
package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/sandboxrt"
	"github.com/sockerless/sockerless/functions/backends/local/content"
	"github.com/sockerless/sockerless/functions/backends/local/portproxy"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/buildjobs"
	"github.com/sockerless/sockerless/sandbox"
)

// Driver implements core.Compute and core.Images on one machine.
type Driver struct {
	buildjobs.Jobs // docker build jobs: core.BuildJobs
	// Published ports (core.Publisher): sandbox containers share the
	// host's network, so a host listener forwards to the container's
	// port on loopback.
	*portproxy.Proxy

	dir      string
	content  *content.Store
	agentURL string
	log      *slog.Logger

	mu        sync.Mutex
	workloads map[string]*workload
}

// workload is one running (or finished) start of a container.
type workload struct {
	cancel context.CancelFunc
	done   chan struct{}
	status core.WorkloadStatus
}

// Config configures a Driver.
type Config struct {
	// Dir holds the driver's files: images, containers and volumes.
	Dir string
	// AgentURL is where agents dial the edge.
	AgentURL string
	Log      *slog.Logger
}

// New opens the driver's files under cfg.Dir.
func New(_ context.Context, cfg Config) (*Driver, error) {
	dir, log := cfg.Dir, cfg.Log
	cs, err := content.Open(filepath.Join(dir, "images"))
	if err != nil {
		return nil, err
	}
	for _, sub := range []string{"containers", "volumes"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Driver{Proxy: portproxy.HostNetwork(), dir: dir, content: cs, agentURL: cfg.AgentURL, log: log, workloads: map[string]*workload{}}, nil
}

func (d *Driver) containerDir(id string) string { return filepath.Join(d.dir, "containers", id) }
func (d *Driver) rootDir(id string) string      { return filepath.Join(d.containerDir(id), "rootfs") }
func (d *Driver) logPath(id string) string      { return filepath.Join(d.containerDir(id), "log.jsonl") }

// Prepare gives the container its own writable layer over the image's
// shared, read-only filesystem: creating a container writes a handful of
// files however large the image is.
func (d *Driver) Prepare(ctx context.Context, w core.Workload) error {
	if _, err := d.content.Rootfs(ctx, w.ImageID); err != nil {
		return err
	}
	dir := d.containerDir(w.ID)
	if err := os.MkdirAll(d.rootDir(w.ID), 0o755); err != nil {
		return err
	}
	if err := d.writeEtc(ctx, w); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	return nil
}

// previousRunGrace is how long a start waits for the previous run's
// agent to finish after it reported its exit.
const previousRunGrace = 5 * time.Second

// Start runs the workload's agent in a goroutine; the agent starts the
// main process once the edge says so.
func (d *Driver) Start(ctx context.Context, w core.Workload) error {
	d.mu.Lock()
	if old, ok := d.workloads[w.ID]; ok && old.status.Running {
		// Core starts only a container whose exit it recorded, and the
		// agent reports the exit before its goroutine here ends: a
		// restart can arrive in between. Give the old run a moment.
		d.mu.Unlock()
		select {
		case <-old.done:
		case <-time.After(previousRunGrace):
			return fmt.Errorf("container %s is already running", w.ID)
		case <-ctx.Done():
			return ctx.Err()
		}
		d.mu.Lock()
		if cur := d.workloads[w.ID]; cur != old && cur != nil && cur.status.Running {
			d.mu.Unlock()
			return fmt.Errorf("container %s is already running", w.ID)
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	wl := &workload{cancel: cancel, done: make(chan struct{}), status: core.WorkloadStatus{Running: true, Known: true}}
	d.workloads[w.ID] = wl
	d.mu.Unlock()

	// The edge that started it, when the call said (a function behind a
	// remote edge); local mode's own edge otherwise.
	edgeURL, err := w.AgentURLOr(d.agentURL)
	if err != nil {
		cancel()
		d.forget(w.ID, wl)
		return err
	}
	logs, err := openLogSink(d.logPath(w.ID))
	if err != nil {
		cancel()
		d.forget(w.ID, wl)
		return err
	}
	image, err := d.content.Rootfs(ctx, w.ImageID)
	if err == nil {
		// As dockerd does at each start: the peers are the start's.
		err = d.writeEtc(ctx, w)
	}
	if err != nil {
		cancel()
		logs.Close()
		d.forget(w.ID, wl)
		return err
	}
	rt := sandboxrt.Container(sandbox.Spec{
		Root: d.rootDir(w.ID), Image: image, Mounts: sandboxMounts(w.Mounts),
		Hostname: w.Hostname, Memory: w.MemoryBytes, PidsLimit: w.PidsLimit,
	})
	go func() {
		defer close(wl.done)
		defer logs.Close()
		code, err := agent.Run(runCtx, agent.Config{
			EdgeURL: edgeURL, ContainerID: w.ID, Token: w.Token,
			Main: w.Main, Health: w.Health, Runtime: rt, Logs: logs,
		})
		d.mu.Lock()
		defer d.mu.Unlock()
		wl.status.Running = false
		wl.status.ExitCode = code
		wl.status.FinishedAt = time.Now().UTC()
		if err != nil && !errors.Is(err, context.Canceled) {
			wl.status.Error = err.Error()
			if code < 0 {
				wl.status.ExitCode = 255
			}
		}
		if errors.Is(err, context.Canceled) {
			wl.status.ExitCode = 137
		}
	}()
	return nil
}

func (d *Driver) forget(id string, wl *workload) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.workloads[id] == wl {
		delete(d.workloads, id)
	}
}

// Status reports what the driver knows of id's latest start.
func (d *Driver) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	wl, ok := d.workloads[id]
	if !ok {
		return core.WorkloadStatus{}, nil
	}
	st := wl.status
	if st.Running {
		st.Procs = len(sandbox.ProcessesIn(d.rootDir(id)))
	}
	return st, nil
}

// Stop ends the workload without the agent: the sandbox process dies
// with its context.
func (d *Driver) Stop(ctx context.Context, id string) error {
	d.mu.Lock()
	wl, ok := d.workloads[id]
	d.mu.Unlock()
	if !ok {
		return nil
	}
	wl.cancel()
	select {
	case <-wl.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return fmt.Errorf("workload %s did not stop within 10s", id[:12])
	}
}

// Remove deletes the container's files.
func (d *Driver) Remove(ctx context.Context, id string) error {
	if err := d.Stop(ctx, id); err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.workloads, id)
	d.mu.Unlock()
	return os.RemoveAll(d.containerDir(id))
}

// Volume returns the directory backing a named volume.
func (d *Driver) Volume(ctx context.Context, name string) (string, error) {
	p := filepath.Join(d.dir, "volumes", name, "_data")
	return p, os.MkdirAll(p, 0o755)
}

// RemoveVolume deletes a named volume's data.
func (d *Driver) RemoveVolume(ctx context.Context, name string) error {
	return os.RemoveAll(filepath.Join(d.dir, "volumes", name))
}

// Close stops every build and workload.
func (d *Driver) Close() error {
	d.Jobs.Close()
	d.mu.Lock()
	wls := make([]*workload, 0, len(d.workloads))
	for _, wl := range d.workloads {
		wls = append(wls, wl)
	}
	d.mu.Unlock()
	for _, wl := range wls {
		wl.cancel()
		<-wl.done
	}
	d.Proxy.Close()
	return nil
}

var _ core.Compute = (*Driver)(nil)

var _ core.BuildJobs = (*Driver)(nil)
