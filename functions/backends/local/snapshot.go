package local

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/functions/backends/local/content"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox"
)

// runtimeFiles are the files Prepare writes into every container, as
// dockerd bind-mounts them: they are not the container's changes, so
// diff and commit leave them out, as Docker does.
var runtimeFiles = map[string]bool{"etc/hostname": true, "etc/hosts": true, "etc/resolv.conf": true}

// Changes lists what the container changed in its image's filesystem.
func (d *Driver) Changes(ctx context.Context, w core.Workload) ([]container.FilesystemChange, error) {
	image, err := d.content.Rootfs(ctx, w.ImageID)
	if err != nil {
		return nil, err
	}
	changes, err := sandbox.Changes(d.rootDir(w.ID), image)
	if err != nil {
		return nil, err
	}
	out := []container.FilesystemChange{}
	for _, c := range changes {
		if runtimeFiles[strings.TrimPrefix(c.Path, "/")] {
			continue
		}
		out = append(out, container.FilesystemChange{Path: c.Path, Kind: container.ChangeType(c.Kind)})
	}
	return dropBareParents(out), nil
}

// dropBareParents removes "C" entries for directories whose only reason
// to be in the upper layer was a runtime file (/etc for /etc/hosts).
func dropBareParents(changes []container.FilesystemChange) []container.FilesystemChange {
	var out []container.FilesystemChange
	for i, c := range changes {
		if c.Kind == container.ChangeModify && parentOnlyOfRuntimeFiles(c.Path) {
			below := false
			for _, o := range changes[i+1:] {
				if strings.HasPrefix(o.Path, c.Path+"/") {
					below = true
					break
				}
			}
			if !below {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func parentOnlyOfRuntimeFiles(p string) bool {
	for f := range runtimeFiles {
		if "/"+f[:strings.LastIndex(f, "/")] == p {
			return true
		}
	}
	return false
}

// Export writes the container's merged filesystem (its layer over the
// image, without volumes, as docker export leaves them out) as a tar.
func (d *Driver) Export(ctx context.Context, w core.Workload, out io.Writer) error {
	fsys, err := d.containerFS(ctx, w.ID, w.ImageID, nil)
	if err != nil {
		return err
	}
	return archive.Write(out, fsys, "/.")
}

// Commit makes an image of the container's writable layer over its
// image's layers.
func (d *Driver) Commit(ctx context.Context, w core.Workload, opts core.CommitOptions) (core.ImageContent, error) {
	image, err := d.content.Rootfs(ctx, w.ImageID)
	if err != nil {
		return core.ImageContent{}, err
	}
	cfg, err := json.Marshal(opts.Config)
	if err != nil {
		return core.ImageContent{}, err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(content.WriteLayer(pw, d.rootDir(w.ID), image, runtimeFiles))
	}()
	img, err := d.content.Commit(ctx, content.CommitSpec{
		Base: w.ImageID, Layer: pr, ConfigJSON: cfg, Changes: opts.Changes,
		Author: opts.Author, Comment: opts.Comment, CreatedBy: opts.CreatedBy, Container: w.ID,
	})
	pr.CloseWithError(io.ErrClosedPipe) // let the writer go if Commit stopped early
	if err != nil {
		return core.ImageContent{}, err
	}
	return imageContent(img)
}

var _ core.Snapshotter = (*Driver)(nil)
