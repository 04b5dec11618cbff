// Package remoteimages is core.Images for backends whose workloads pull
// their images from a registry themselves (ECS, Lambda, Cloud Run): a
// pull resolves the reference and records the image's config and digest;
// no layer is downloaded or stored by the function. It knows no cloud:
// the registry login is a keychain the cloud's wiring supplies.
package remoteimages

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/moby/api/types/jsonstream"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/imageref"
)

// Images resolves images in their registries.
type Images struct {
	// Name names the backend in messages ("ecs").
	Name string
	// Keychain finds credentials when the client sent none: the
	// platform's registry login (a cloud's wiring supplies it); nil
	// means anonymous.
	Keychain authn.Keychain
	// Registry names, in messages, the registry the platform's
	// workloads pull from ("" when there is none to suggest).
	Registry string
}

var _ core.Images = (*Images)(nil)

// Pull resolves ref for linux/amd64 and returns its config and pinned
// digest, which is what the workload will run.
func (im *Images) Pull(ctx context.Context, ref, auth string, progress func(jsonstream.Message)) (core.ImageContent, error) {
	r, err := imageref.Parse(ref)
	if err != nil {
		return core.ImageContent{}, err
	}
	say := func(m jsonstream.Message) {
		if progress != nil {
			progress(m)
		}
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithUserAgent("sockerless"),
		remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"})}
	switch a := imageref.Auth(auth); {
	case a != nil:
		opts = append(opts, remote.WithAuth(a))
	case im.Keychain != nil:
		opts = append(opts, remote.WithAuthFromKeychain(im.Keychain))
	}
	res, err := imageref.Resolve(r, say, opts...)
	if err != nil {
		return core.ImageContent{}, err
	}
	var size int64
	for _, l := range res.Manifest.Layers {
		size += l.Size
	}
	say(jsonstream.Message{Status: "Digest: " + res.Desc.Digest.String()})
	say(jsonstream.Message{Status: "Status: Downloaded newer image for " + imageref.FamiliarString(r)})
	return core.ImageContent{
		ID:          res.ID.String(),
		RepoDigests: []string{imageref.FamiliarName(r.Context()) + "@" + res.Desc.Digest.String()},
		ConfigJSON:  res.Config,
		Size:        size,
	}, nil
}

// errNoLocalContent is why image transfers other than pull are refused:
// there is no image store on these backends, only registries.
func (im *Images) errNoLocalContent(what string) error {
	where := "one the workloads can reach"
	if im.Registry != "" {
		where += " (" + im.Registry + ")"
	}
	return fmt.Errorf("%s is not supported by the %s backend: images live in a registry; push the image to %s and pull it by reference: %w",
		what, im.Name, where, core.ErrUnsupported)
}

func (im *Images) Import(context.Context, io.Reader, []string, string) (core.ImageContent, error) {
	return core.ImageContent{}, im.errNoLocalContent("docker import")
}

func (im *Images) Load(context.Context, io.Reader) ([]core.LoadedImage, error) {
	return nil, im.errNoLocalContent("docker load")
}

func (im *Images) Save(context.Context, io.Writer, []core.SavedImage) error {
	return im.errNoLocalContent("docker save")
}

// DeleteImage has nothing to free: the content stays in its registry.
func (im *Images) DeleteImage(context.Context, string) error { return nil }

// ErrNotPulled says a workload's image has no registry reference.
var ErrNotPulled = errors.New("the image was not pulled from a registry, so the workload cannot pull it: push it to a registry and pull it by reference")

// Launchable checks what a backend whose workloads pull their own image
// needs of w before starting it, and returns the URL its agent dials
// (w's, else fallback). Such a backend mounts nothing: mounts says why,
// for the error a workload with mounts gets.
func Launchable(w core.Workload, fallback string, mounts error) (string, error) {
	if w.ImageRef == "" {
		return "", ErrNotPulled
	}
	if len(w.Mounts) > 0 {
		return "", mounts
	}
	return w.AgentURLOr(fallback)
}
