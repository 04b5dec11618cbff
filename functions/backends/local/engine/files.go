package engine

import (
	"context"
	"fmt"
	"io"
	"os"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core"
)

// Files reaches a stopped container's filesystem through the engine's
// archive API on the engine container Prepare created.
func (d *Driver) Files(ctx context.Context, w core.Workload) (core.Files, error) {
	if _, err := d.engine.ContainerInspect(ctx, name(w.ID), client.ContainerInspectOptions{}); err != nil {
		return nil, fmt.Errorf("engine container of %s: %w", w.ID, err)
	}
	return files{ctx: ctx, engine: d.engine, name: name(w.ID)}, nil
}

// files holds the call's context: core.Files has none of its own.
type files struct {
	ctx    context.Context
	engine *client.Client
	name   string
}

func (f files) Stat(p string) (proto.PathStat, error) {
	r, err := f.engine.ContainerStatPath(f.ctx, f.name, client.ContainerStatPathOptions{Path: p})
	if err != nil {
		return proto.PathStat{}, notExist(err)
	}
	return pathStat(r.Stat), nil
}

func (f files) Get(p string, w io.Writer) (proto.PathStat, error) {
	r, err := f.engine.CopyFromContainer(f.ctx, f.name, client.CopyFromContainerOptions{SourcePath: p})
	if err != nil {
		return proto.PathStat{}, notExist(err)
	}
	defer r.Content.Close()
	if _, err := io.Copy(w, r.Content); err != nil {
		return proto.PathStat{}, err
	}
	return pathStat(r.Stat), nil
}

func (f files) Put(p string, r io.Reader, noOverwriteDirNonDir bool) error {
	_, err := f.engine.CopyToContainer(f.ctx, f.name, client.CopyToContainerOptions{
		DestinationPath: p, Content: r, AllowOverwriteDirWithFile: !noOverwriteDirNonDir,
	})
	return notExist(err)
}

// notExist turns the engine's not-found into the one core maps to 404.
func notExist(err error) error {
	if cerrdefs.IsNotFound(err) {
		return fmt.Errorf("%w: %v", os.ErrNotExist, err)
	}
	return err
}

func pathStat(s container.PathStat) proto.PathStat {
	return proto.PathStat{Name: s.Name, Size: s.Size, Mode: uint32(s.Mode), Mtime: s.Mtime, LinkTarget: s.LinkTarget}
}
