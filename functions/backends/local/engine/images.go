package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/core"
)

// Pull has the engine pull ref.
func (d *Driver) Pull(ctx context.Context, ref, auth string, progress func(jsonstream.Message)) (core.ImageContent, error) {
	resp, err := d.engine.ImagePull(ctx, ref, client.ImagePullOptions{RegistryAuth: auth})
	if err != nil {
		return core.ImageContent{}, err
	}
	defer resp.Close()
	for msg, err := range resp.JSONMessages(ctx) {
		if err != nil {
			return core.ImageContent{}, err
		}
		if msg.Error != nil {
			return core.ImageContent{}, errors.New(msg.Error.Message)
		}
		if progress != nil {
			progress(msg)
		}
	}
	return d.content(ctx, ref)
}

// Import has the engine make an image from a rootfs tar.
func (d *Driver) Import(ctx context.Context, r io.Reader, changes []string, platform string) (core.ImageContent, error) {
	opt := client.ImageImportOptions{Changes: changes}
	if platform != "" {
		p, err := parsePlatform(platform)
		if err != nil {
			return core.ImageContent{}, err
		}
		opt.Platform = p
	}
	rc, err := d.engine.ImageImport(ctx, client.ImageImportSource{Source: r, SourceName: "-"}, "", opt)
	if err != nil {
		return core.ImageContent{}, err
	}
	defer rc.Close()
	// The engine answers with the new image's ID as the last status.
	var id string
	err = readMessages(rc, func(m jsonstream.Message) {
		if strings.HasPrefix(m.Status, "sha256:") {
			id = strings.TrimSpace(m.Status)
		}
	})
	if err != nil {
		return core.ImageContent{}, err
	}
	if id == "" {
		return core.ImageContent{}, errors.New("engine import returned no image ID")
	}
	return d.content(ctx, id)
}

// Load has the engine load a `docker save` or OCI layout tar.
func (d *Driver) Load(ctx context.Context, r io.Reader) ([]core.LoadedImage, error) {
	rc, err := d.engine.ImageLoad(ctx, r, client.ImageLoadWithQuiet(true))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// "Loaded image: name:tag" or "Loaded image ID: sha256:..." per image.
	var refs []string
	err = readMessages(rc, func(m jsonstream.Message) {
		for _, line := range strings.Split(m.Stream, "\n") {
			if v, ok := strings.CutPrefix(line, "Loaded image ID: "); ok {
				refs = append(refs, strings.TrimSpace(v))
			} else if v, ok := strings.CutPrefix(line, "Loaded image: "); ok {
				refs = append(refs, strings.TrimSpace(v))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var out []core.LoadedImage
	index := map[string]int{}
	for _, ref := range refs {
		ic, err := d.content(ctx, ref)
		if err != nil {
			return nil, err
		}
		i, ok := index[ic.ID]
		if !ok {
			i = len(out)
			index[ic.ID] = i
			out = append(out, core.LoadedImage{ImageContent: ic})
		}
		if !strings.HasPrefix(ref, "sha256:") {
			out[i].RepoTags = append(out[i].RepoTags, ref)
		}
	}
	return out, nil
}

// Save has the engine write images in `docker save` format. Tags are
// core's, so they are set in the engine first for the archive to carry.
func (d *Driver) Save(ctx context.Context, w io.Writer, imgs []core.SavedImage) error {
	var refs []string
	for _, img := range imgs {
		if len(img.RepoTags) == 0 {
			refs = append(refs, img.ID)
			continue
		}
		for _, tag := range img.RepoTags {
			if _, err := d.engine.ImageTag(ctx, client.ImageTagOptions{Source: img.ID, Target: tag}); err != nil {
				return err
			}
			refs = append(refs, tag)
		}
	}
	rc, err := d.engine.ImageSave(ctx, refs)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// DeleteImage removes the image from the engine with whatever tags the
// engine gave it.
func (d *Driver) DeleteImage(ctx context.Context, id string) error {
	_, err := d.engine.ImageRemove(ctx, id, client.ImageRemoveOptions{Force: true})
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// content describes an engine image as core records it. The engine
// does not hand out the config blob, so it is rebuilt from inspect: the
// runtime config, platform and layers, which is what core reads.
func (d *Driver) content(ctx context.Context, ref string) (core.ImageContent, error) {
	r, err := d.engine.ImageInspect(ctx, ref)
	if err != nil {
		return core.ImageContent{}, err
	}
	img := dockerspec.DockerOCIImage{Image: ocispec.Image{
		Author:   r.Author,
		Platform: ocispec.Platform{Architecture: r.Architecture, OS: r.Os, OSVersion: r.OsVersion, Variant: r.Variant},
		RootFS:   ocispec.RootFS{Type: r.RootFS.Type},
	}}
	if t, err := time.Parse(time.RFC3339Nano, r.Created); err == nil {
		img.Created = &t
	}
	for _, l := range r.RootFS.Layers {
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, digest.Digest(l))
	}
	if r.Config != nil {
		img.Config = *r.Config
	}
	cfg, err := json.Marshal(img)
	if err != nil {
		return core.ImageContent{}, err
	}
	return core.ImageContent{ID: r.ID, RepoDigests: r.RepoDigests, ConfigJSON: cfg, Size: r.Size}, nil
}

// readMessages reads a JSON message stream, failing on its errors.
func readMessages(r io.Reader, each func(jsonstream.Message)) error {
	dec := json.NewDecoder(r)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("engine reply: %w", err)
		}
		if m.Error != nil {
			return errors.New(m.Error.Message)
		}
		each(m)
	}
}

// parsePlatform reads "os[/arch[/variant]]".
func parsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) > 3 || parts[0] == "" {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q", s)
	}
	p := ocispec.Platform{OS: parts[0]}
	if len(parts) > 1 {
		p.Architecture = parts[1]
	}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p, nil
}
