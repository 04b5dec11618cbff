package content

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CommitSpec describes the image `docker commit` makes.
type CommitSpec struct {
	// Base is the ID of the image the container runs.
	Base string
	// Layer is the container's changes as an OCI layer tar (uncompressed).
	Layer io.Reader
	// ConfigJSON is the new image's runtime config in Docker's
	// container config shape ("Cmd", "Env", ...), which is also the
	// image config's.
	ConfigJSON []byte
	// Changes are Dockerfile-like instructions applied over ConfigJSON.
	Changes   []string
	Author    string
	Comment   string
	CreatedBy string
	// Container is the committed container's ID, kept in the config as
	// Docker does.
	Container string
}

// Commit stores spec.Layer on top of the base image's layers as a new
// image, with the base's history and one entry more.
func (s *Store) Commit(ctx context.Context, spec CommitSpec) (Image, error) {
	base, err := s.Image(spec.Base)
	if err != nil {
		return Image{}, err
	}
	m, err := s.manifest(base.Manifest.Digest)
	if err != nil {
		return Image{}, err
	}
	if len(m.Layers) != len(base.Config.RootFS.DiffIDs) {
		return Image{}, fmt.Errorf("content: image %s has %d layers but %d diff IDs", base.ID, len(m.Layers), len(base.Config.RootFS.DiffIDs))
	}
	var cfg v1.Config
	if len(spec.ConfigJSON) > 0 {
		if err := json.Unmarshal(spec.ConfigJSON, &cfg); err != nil {
			return Image{}, fmt.Errorf("content: commit config: %w", err)
		}
	}
	if err := applyChanges(&cfg, spec.Changes); err != nil {
		return Image{}, err
	}

	tmp, err := s.tempDir()
	if err != nil {
		return Image{}, err
	}
	defer os.RemoveAll(tmp)
	layer, err := stageReader(ctx, spec.Layer, tmp, "layer.tar")
	if err != nil {
		return Image{}, fmt.Errorf("content: commit: %w", err)
	}

	// The base's layers are in the store already (file == ""); their
	// uncompressed sizes are not kept per layer, so the base's total
	// stands for them all on the first one.
	layers := make([]stagedLayer, 0, len(m.Layers)+1)
	for i, d := range m.Layers {
		l := stagedLayer{digest: d.Digest, size: d.Size, diffID: base.Config.RootFS.DiffIDs[i], mediaType: d.MediaType}
		if i == 0 {
			l.usize = base.Size
		}
		layers = append(layers, l)
	}
	layers = append(layers, layer)

	now := time.Now().UTC()
	cf := base.Config.DeepCopy()
	cf.Created = v1.Time{Time: now}
	cf.Author = spec.Author
	cf.Container = spec.Container
	cf.Config = cfg
	cf.RootFS = v1.RootFS{Type: "layers", DiffIDs: append(append([]v1.Hash{}, base.Config.RootFS.DiffIDs...), layer.diffID)}
	cf.History = append(cf.History, v1.History{
		Created: v1.Time{Time: now}, CreatedBy: spec.CreatedBy, Author: spec.Author, Comment: spec.Comment,
	})
	rec, err := newRecord(*cf, layers)
	if err != nil {
		return Image{}, fmt.Errorf("content: commit: %w", err)
	}
	img, _, err := s.commit(rec)
	return img, err
}
