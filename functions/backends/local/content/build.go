package content

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sockerless/sockerless/sandbox/unpack"
)

// Build is the working filesystem of one `docker build`: the base
// image's layers unpacked privately (Lower, which the build may change
// between steps) under a writable layer (Upper) that the steps write
// through the sandbox's copy-on-write view. Seal turns what Upper holds
// into a layer blob and folds it into Lower; Commit records the image.
// Nothing reaches the store before Commit, and Close drops the rest.
type Build struct {
	s      *Store
	dir    string
	base   []stagedLayer
	layers []stagedLayer
	lower  *unpack.Unpacker
}

// StartBuild unpacks baseID's layers ("" for scratch) into a new
// working directory.
func (s *Store) StartBuild(ctx context.Context, baseID string) (*Build, error) {
	dir, err := s.tempDir()
	if err != nil {
		return nil, err
	}
	b := &Build{s: s, dir: dir, lower: unpack.New(filepath.Join(dir, "lower"), unpack.Exact)}
	for _, d := range []string{b.Lower(), b.Upper()} {
		if err := os.Mkdir(d, 0o755); err != nil {
			b.Close()
			return nil, fmt.Errorf("content: %w", err)
		}
	}
	if baseID == "" {
		return b, nil
	}
	img, err := s.Image(baseID)
	if err != nil {
		b.Close()
		return nil, err
	}
	m, err := s.manifest(img.Manifest.Digest)
	if err != nil {
		b.Close()
		return nil, err
	}
	if len(m.Layers) != len(img.Config.RootFS.DiffIDs) {
		b.Close()
		return nil, fmt.Errorf("content: image %s has %d layers but %d diff IDs", img.ID, len(m.Layers), len(img.Config.RootFS.DiffIDs))
	}
	for i, l := range m.Layers {
		if err := ctx.Err(); err != nil {
			b.Close()
			return nil, err
		}
		if err := s.applyBlob(b.lower, l.Digest); err != nil {
			b.Close()
			return nil, fmt.Errorf("content: unpack layer %d of %s: %w", i+1, img.ID, err)
		}
		// The image's size is what the store knows, not per layer: it is
		// carried whole by the first layer so the sum stays right.
		var usize int64
		if i == 0 {
			usize = img.Size
		}
		b.base = append(b.base, stagedLayer{digest: l.Digest, size: l.Size, diffID: img.Config.RootFS.DiffIDs[i], usize: usize, mediaType: l.MediaType})
	}
	if err := b.lower.Finish(); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Lower is the image filesystem the steps see under Upper.
func (b *Build) Lower() string { return filepath.Join(b.dir, "lower") }

// Upper is the writable layer the next step writes.
func (b *Build) Upper() string { return filepath.Join(b.dir, "upper") }

// Seal makes a layer of what Upper holds (its whiteouts included), in
// OCI form, folds it into Lower and empties Upper. It returns the
// layer's diff ID.
func (b *Build) Seal() (v1.Hash, error) {
	tarPath := filepath.Join(b.dir, fmt.Sprintf("layer-%d.tar", len(b.layers)))
	f, err := os.Create(tarPath)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("content: %w", err)
	}
	err = WriteLayer(f, b.Upper(), b.Lower(), nil)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return v1.Hash{}, fmt.Errorf("content: layer of the build step: %w", err)
	}
	layer, err := stageFile(tarPath, b.dir, false, nil)
	if err != nil {
		return v1.Hash{}, err
	}
	// Lower may hold read-only directories from the image; the next
	// layer must be able to write into them.
	if err := unpack.MakeWritable(b.Lower()); err != nil {
		return v1.Hash{}, err
	}
	if err := b.applyTar(tarPath); err != nil {
		return v1.Hash{}, fmt.Errorf("content: apply the build step's layer: %w", err)
	}
	if err := unpack.MakeWritable(b.Upper()); err != nil {
		return v1.Hash{}, err
	}
	if err := os.RemoveAll(b.Upper()); err != nil {
		return v1.Hash{}, err
	}
	if err := os.Mkdir(b.Upper(), 0o755); err != nil {
		return v1.Hash{}, err
	}
	os.Remove(tarPath)
	b.layers = append(b.layers, layer)
	return layer.diffID, nil
}

func (b *Build) applyTar(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := b.lower.Apply(f); err != nil {
		return err
	}
	return b.lower.Finish()
}

// Commit records an image of the base's layers, the sealed ones and
// config, an OCI image config whose rootfs lists exactly those layers.
func (b *Build) Commit(config []byte) (Image, error) {
	var cf v1.ConfigFile
	if err := json.Unmarshal(config, &cf); err != nil {
		return Image{}, fmt.Errorf("content: build config: %w", err)
	}
	all := append(append([]stagedLayer{}, b.base...), b.layers...)
	if len(cf.RootFS.DiffIDs) != len(all) {
		return Image{}, fmt.Errorf("content: build config lists %d layers, the build has %d", len(cf.RootFS.DiffIDs), len(all))
	}
	for i, l := range all {
		if cf.RootFS.DiffIDs[i] != l.diffID {
			return Image{}, fmt.Errorf("content: build config layer %d is %s, the build's is %s", i+1, cf.RootFS.DiffIDs[i], l.diffID)
		}
	}
	rec, err := recordFor(config, all)
	if err != nil {
		return Image{}, err
	}
	img, _, err := b.s.commit(rec)
	if err != nil {
		return Image{}, err
	}
	// Placed blobs now live in the store; a second Commit reuses them.
	for i := range b.layers {
		b.layers[i].file = ""
	}
	return img, nil
}

// Close removes the working directory and every staged layer.
func (b *Build) Close() error {
	_ = unpack.MakeWritable(b.dir)
	return os.RemoveAll(b.dir)
}
