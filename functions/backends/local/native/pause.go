//go:build linux && cgo

package native

import (
	"context"
	"fmt"

	"github.com/sockerless/sockerless/functions/core"
)

// Pause freezes the container's processes through its cgroup's freezer,
// as runc pause does.
func (d *Driver) Pause(ctx context.Context, id string) error {
	wl, _, err := d.live(id)
	if err != nil {
		return err
	}
	if d.rootless {
		return rootlessErr("docker pause freezes a container's cgroup, and a rootless container has none of its own")
	}
	return wl.c.Pause()
}

// Unpause thaws them.
func (d *Driver) Unpause(ctx context.Context, id string) error {
	wl, _, err := d.live(id)
	if err != nil {
		return err
	}
	return wl.c.Resume()
}

// live returns container id's workload and its status as of now, or an
// error when it does not run.
func (d *Driver) live(id string) (*workload, core.WorkloadStatus, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	wl := d.workloads[id]
	if wl == nil || wl.c == nil || !wl.status.Running {
		return nil, core.WorkloadStatus{}, fmt.Errorf("container %s is not running", id)
	}
	return wl, wl.status, nil
}

var _ core.Pauser = (*Driver)(nil)
