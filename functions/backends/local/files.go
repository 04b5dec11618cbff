package local

import (
	"context"
	"io"

	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/agent/sandboxrt"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox"
)

// sandboxMounts converts core's resolved mounts to the sandbox's.
func sandboxMounts(mounts []core.Mount) []sandbox.Mount {
	ms := make([]sandbox.Mount, len(mounts))
	for i, m := range mounts {
		ms[i] = sandbox.Mount{Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
	}
	return ms
}

func containerFS(root, image string, mounts []core.Mount) (archive.FS, error) {
	return sandboxrt.NewFS(root, image, sandboxMounts(mounts))
}

// containerFS is the merged view of a container's layer over its image.
func (d *Driver) containerFS(ctx context.Context, id, imageID string, mounts []core.Mount) (archive.FS, error) {
	image, err := d.content.Rootfs(ctx, imageID)
	if err != nil {
		return nil, err
	}
	return containerFS(d.rootDir(id), image, mounts)
}

// Files reaches a stopped container's filesystem, as `docker cp` before
// `docker start` needs.
func (d *Driver) Files(ctx context.Context, w core.Workload) (core.Files, error) {
	fsys, err := d.containerFS(ctx, w.ID, w.ImageID, w.Mounts)
	if err != nil {
		return nil, err
	}
	return files{fsys}, nil
}

type files struct{ fsys archive.FS }

func (f files) Stat(p string) (proto.PathStat, error) { return archive.Stat(f.fsys, p) }

func (f files) Get(p string, w io.Writer) (proto.PathStat, error) {
	st, err := archive.Stat(f.fsys, p)
	if err != nil {
		return st, err
	}
	return st, archive.Write(w, f.fsys, p)
}

func (f files) Put(p string, r io.Reader, noOverwriteDirNonDir bool) error {
	return archive.Extract(r, f.fsys, p, noOverwriteDirNonDir)
}
