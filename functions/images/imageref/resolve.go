package imageref

import (
	"bytes"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/moby/api/types/jsonstream"
)

// Resolved is an image found in its registry: what a pull knows before
// it fetches any layer.
type Resolved struct {
	Desc     *remote.Descriptor // what the reference resolved to; its digest pins it
	Image    v1.Image           // the platform's image of an index
	Manifest *v1.Manifest
	Config   []byte  // the raw config, as the image ID digests it
	ID       v1.Hash // the image ID: the config's digest
}

// Resolve finds r in its registry and reads its manifest and config,
// saying "Pulling from" as dockerd does once the reference resolves.
// Errors name the image and registry, as a pull reports them.
func Resolve(r name.Reference, say func(jsonstream.Message), opts ...remote.Option) (Resolved, error) {
	var res Resolved
	var err error
	if res.Desc, err = remote.Get(r, opts...); err != nil {
		return Resolved{}, PullError(r, err)
	}
	say(jsonstream.Message{ID: r.Identifier(), Status: "Pulling from " + r.Context().RepositoryStr()})
	if res.Image, err = res.Desc.Image(); err == nil {
		if res.Manifest, err = res.Image.Manifest(); err == nil {
			if res.Config, err = res.Image.RawConfigFile(); err == nil {
				res.ID, _, err = v1.SHA256(bytes.NewReader(res.Config))
			}
		}
	}
	if err != nil {
		return Resolved{}, PullError(r, err)
	}
	return res, nil
}

// PullError is err as a pull of r reports it.
func PullError(r name.Reference, err error) error {
	return fmt.Errorf("pull %s from registry %s: %w", FamiliarString(r), r.Context().RegistryStr(), err)
}
