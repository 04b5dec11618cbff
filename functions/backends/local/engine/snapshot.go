package engine

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/opencontainers/go-digest"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// agentDir is where the agent's bind mount makes the engine create a
// mount point in every started container. It is the runtime's, not the
// container's: diff, export and commit leave it out, as Docker leaves
// out its own /etc/hosts.
var agentDir = strings.TrimPrefix(path.Dir(agentPath), "/")

// isAgentPath reports whether name (no leading "/") is the agent's.
func isAgentPath(name string) bool {
	return name == agentDir || strings.HasPrefix(name, agentDir+"/")
}

// Changes is the engine's diff of the container's engine container,
// over the changes earlier runs left (see carryChanges).
func (d *Driver) Changes(ctx context.Context, w core.Workload) ([]container.FilesystemChange, error) {
	r, err := d.engine.ContainerDiff(ctx, name(w.ID), client.ContainerDiffOptions{})
	if err != nil {
		return nil, err
	}
	kept, err := d.keptChanges(w.ID)
	if err != nil {
		return nil, err
	}
	out := []container.FilesystemChange{}
	for _, c := range mergeChanges(kept, r.Changes) {
		if !isAgentPath(strings.TrimPrefix(c.Path, "/")) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Export writes the engine's export of the container without the
// agent's mount point.
func (d *Driver) Export(ctx context.Context, w core.Workload, out io.Writer) error {
	rc, err := d.engine.ContainerExport(ctx, name(w.ID), client.ContainerExportOptions{})
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	tw := tar.NewWriter(out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return tw.Close()
		}
		if err != nil {
			return fmt.Errorf("engine export: %w", err)
		}
		if isAgentPath(strings.TrimPrefix(path.Clean("/"+h.Name), "/")) {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}

// Commit has the engine commit the container for its new layer, then
// gives the image the config core made (opts.Config with --change
// applied), not the engine's: the engine container's own config is the
// agent's (its entrypoint, its token in the environment).
func (d *Driver) Commit(ctx context.Context, w core.Workload, opts core.CommitOptions) (core.ImageContent, error) {
	runtimeCfg, err := imageConfig(opts.Config)
	if err != nil {
		return core.ImageContent{}, err
	}
	if err := dockerfile.ApplyChanges(&runtimeCfg, opts.Changes); err != nil {
		return core.ImageContent{}, err
	}
	committed, err := d.engine.ContainerCommit(ctx, name(w.ID), client.ContainerCommitOptions{NoPause: true, Comment: opts.Comment, Author: opts.Author})
	if err != nil {
		return core.ImageContent{}, err
	}
	// The image made below holds the layers itself.
	defer d.dropImage(ctx, committed.ID)
	s, err := d.saveImage(ctx, committed.ID)
	if err != nil {
		return core.ImageContent{}, err
	}
	defer s.close()
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(s.config, &img); err != nil {
		return core.ImageContent{}, fmt.Errorf("engine image config: %w", err)
	}
	if err := withoutAgent(s, &img); err != nil {
		return core.ImageContent{}, err
	}
	now := time.Now().UTC()
	img.Created = &now
	img.Author = opts.Author
	img.Config = runtimeCfg
	if n := len(img.History); n > 0 {
		h := &img.History[n-1]
		h.Created, h.CreatedBy, h.Author, h.Comment = &now, opts.CreatedBy, opts.Author, opts.Comment
	}
	cfg, err := json.Marshal(img)
	if err != nil {
		return core.ImageContent{}, err
	}
	return d.load(ctx, s, cfg)
}

// dropImage removes an image the engine made on the way, logging
// rather than failing: what was asked for is done.
func (d *Driver) dropImage(ctx context.Context, id string) {
	if _, err := d.engine.ImageRemove(context.WithoutCancel(ctx), id, client.ImageRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
		d.cfg.Log.Warn("engine runtime: removing an intermediate image", "image", id, "err", err)
	}
}

// withoutAgent takes the agent's mount point out of the committed
// layer, the last one when the engine made one, and drops the layer if
// nothing else is in it, as the engine drops an empty one.
func withoutAgent(s *savedImage, img *dockerspec.DockerOCIImage) error {
	n := len(img.History)
	ids := img.RootFS.DiffIDs
	if n == 0 || img.History[n-1].EmptyLayer || len(ids) == 0 {
		return nil
	}
	id, err := s.dropFromLayer(ids[len(ids)-1], isAgentPath)
	if err != nil {
		return err
	}
	if id == "" {
		img.RootFS.DiffIDs = ids[:len(ids)-1]
		img.History[n-1].EmptyLayer = true
		return nil
	}
	img.RootFS.DiffIDs = append(append([]digest.Digest{}, ids[:len(ids)-1]...), id)
	return nil
}

// imageConfig is a container config's image part; the two share their
// JSON names, and the container-only fields drop out.
func imageConfig(c *container.Config) (dockerspec.DockerOCIImageConfig, error) {
	var out dockerspec.DockerOCIImageConfig
	if c == nil {
		return out, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(b, &out)
}

var _ core.Snapshotter = (*Driver)(nil)
