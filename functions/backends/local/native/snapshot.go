//go:build linux && cgo

package native

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/sandboxrt"
	"github.com/sockerless/sockerless/functions/core"
)

// A stopped container's layer is at rest in the sandbox's form, and the
// embedded driver's diff, export and commit read it. A running one's is
// in the kernel's form: export reads the mounted overlay instead; diff
// and commit, which read the layer itself, wait for the next increment.

var errRunningLayer = errors.New("the native runtime cannot read a running container's changes yet (docker diff and docker commit): stop the container first")

// running reports whether container id runs, with its mounted root.
func (d *Driver) running(id string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	wl, ok := d.workloads[id]
	if !ok {
		return "", false
	}
	select {
	case <-wl.done:
		return "", false
	default:
		return d.rootfsDir(id), true
	}
}

// settleGrace is how long diff and commit wait for a container whose
// main process has exited to be torn down: core records the exit the
// agent reports a moment before its init ends.
const settleGrace = 2 * time.Second

// atRest waits up to settleGrace for container id's layer to be at
// rest, and says whether it is.
func (d *Driver) atRest(ctx context.Context, id string) bool {
	ended, err := d.waitEnd(ctx, id, settleGrace)
	return ended && err == nil
}

// Changes lists what the container changed in its image's filesystem.
func (d *Driver) Changes(ctx context.Context, w core.Workload) ([]container.FilesystemChange, error) {
	if !d.atRest(ctx, w.ID) {
		return nil, errRunningLayer
	}
	return d.Driver.Changes(ctx, w)
}

// Commit makes an image of the container's layer over its image's.
func (d *Driver) Commit(ctx context.Context, w core.Workload, opts core.CommitOptions) (core.ImageContent, error) {
	if !d.atRest(ctx, w.ID) {
		return core.ImageContent{}, errRunningLayer
	}
	return d.Driver.Commit(ctx, w, opts)
}

// Export writes the container's merged filesystem as a tar.
func (d *Driver) Export(ctx context.Context, w core.Workload, out io.Writer) error {
	merged, ok := d.running(w.ID)
	if !ok {
		return d.Driver.Export(ctx, w, out)
	}
	fsys, err := sandboxrt.NewFS(merged, "", nil)
	if err != nil {
		return err
	}
	return archive.Write(out, fsys, "/.")
}

var _ core.Snapshotter = (*Driver)(nil)
