package engine

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// SizeRw is the engine's own measure of the container's writable layer
// (core.Sizer); the agent is bind-mounted, so it does not count. A
// container the engine no longer has wrote nothing there.
func (d *Driver) SizeRw(ctx context.Context, id string) (int64, error) {
	r, err := d.engine.ContainerInspect(ctx, name(id), client.ContainerInspectOptions{Size: true})
	if cerrdefs.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if r.Container.SizeRw == nil {
		return 0, nil
	}
	return *r.Container.SizeRw, nil
}
