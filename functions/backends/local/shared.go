package local

import (
	"context"
	"io"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/functions/core"
)

// The native runtime (functions/backends/local/native) keeps its containers in these
// same directories, so images, logs, files, diff, export and commit are
// this driver's for both runtimes.

// ImageRoot is the image's unpacked, shared, read-only root.
func (d *Driver) ImageRoot(ctx context.Context, imageID string) (string, error) {
	return d.content.Rootfs(ctx, imageID)
}

// ContainerDir holds a container's files: its layer, log and what a
// runtime keeps beside them.
func (d *Driver) ContainerDir(id string) string { return d.containerDir(id) }

// UpperDir is the container's writable layer over its image, at rest in
// the sandbox's layering (overlayfs semantics, OCI whiteout files).
func (d *Driver) UpperDir(id string) string { return d.rootDir(id) }

// OpenLog opens the container's log for appending; Logs reads it.
func (d *Driver) OpenLog(id string) (interface {
	agent.LogSink
	io.Closer
}, error) {
	return openLogSink(d.logPath(id))
}

// WriteEtc writes the container's /etc/hostname and /etc/hosts (with the
// start's network peers) into its writable layer, as Start does.
func (d *Driver) WriteEtc(ctx context.Context, w core.Workload) error { return d.writeEtc(ctx, w) }

// WriteEtcFiles writes files (name under /etc → content) into the
// container's writable layer, never through an image's symlink.
func (d *Driver) WriteEtcFiles(ctx context.Context, w core.Workload, files map[string]string) error {
	return d.writeEtcFiles(ctx, w, files)
}
