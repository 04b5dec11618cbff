package local

import (
	"context"
	"encoding/json"
	"io"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/sockerless/sockerless/functions/backends/local/content"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/imageref"
)

// Pull fetches ref into the content store.
func (d *Driver) Pull(ctx context.Context, ref, auth string, progress func(jsonstream.Message)) (core.ImageContent, error) {
	opt := content.PullOptions{}
	if a := imageref.Auth(auth); a != nil {
		opt.Auth = a
	}
	img, err := d.content.Pull(ctx, ref, opt, progress)
	if err != nil {
		return core.ImageContent{}, err
	}
	return imageContent(img)
}

// Import makes an image from a rootfs tar.
func (d *Driver) Import(ctx context.Context, r io.Reader, changes []string, platform string) (core.ImageContent, error) {
	img, err := d.content.Import(ctx, r, changes, platform)
	if err != nil {
		return core.ImageContent{}, err
	}
	return imageContent(img)
}

// Load reads a `docker save` or OCI layout tar.
func (d *Driver) Load(ctx context.Context, r io.Reader) ([]core.LoadedImage, error) {
	loaded, err := d.content.Load(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make([]core.LoadedImage, 0, len(loaded))
	for _, l := range loaded {
		ic, err := imageContent(l.Image)
		if err != nil {
			return nil, err
		}
		out = append(out, core.LoadedImage{ImageContent: ic, RepoTags: l.RepoTags})
	}
	return out, nil
}

// Save writes images in `docker save` format.
func (d *Driver) Save(ctx context.Context, w io.Writer, imgs []core.SavedImage) error {
	refs := make([]content.SaveImage, len(imgs))
	for i, img := range imgs {
		refs[i] = content.SaveImage{ID: img.ID, RepoTags: img.RepoTags}
	}
	return d.content.Save(ctx, w, refs)
}

// DeleteImage drops an image's content.
func (d *Driver) DeleteImage(ctx context.Context, id string) error { return d.content.Remove(id) }

func imageContent(img content.Image) (core.ImageContent, error) {
	cfg, err := json.Marshal(img.Config)
	if err != nil {
		return core.ImageContent{}, err
	}
	return core.ImageContent{ID: img.ID, RepoDigests: img.RepoDigests, ConfigJSON: cfg, Size: img.Size}, nil
}

var _ core.Images = (*Driver)(nil)
