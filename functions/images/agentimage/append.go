package agentimage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/functions/images/imageref"
)

// Appended is how a backend makes a workload image from a user's image:
// its layers, then the agent image's, with the config Wrap gives it.
type Appended struct {
	// Agent is the agent image (repository:tag or digest).
	Agent string
	// Repository receives the images made (a repository name, without a
	// tag).
	Repository string
	// TagPrefix starts the tags of the images made ("fn-"), so that two
	// backends' images of the same pair do not share a tag.
	TagPrefix string
	// Keychain logs in to the registries images come from and go to.
	Keychain authn.Keychain
	// Wrap sets the agent in the user's image config (its entrypoint).
	Wrap func(v1.Config) v1.Config
}

// Push makes the workload image of the user's image ref (pinned by
// digest). The image is pushed once per (image, agent) pair, tagged by
// both digests; layers already in the registry are not uploaded again.
// It returns the pushed image pinned by digest.
func (a Appended) Push(ctx context.Context, ref string) (string, error) {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(a.Keychain),
		remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"})}
	user, userDigest, err := image(ref, opts)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", ref, err)
	}
	agent, agentDigest, err := image(a.Agent, opts)
	if err != nil {
		return "", fmt.Errorf("agent image %s: %w", a.Agent, err)
	}
	sum := sha256.Sum256([]byte(userDigest.String() + "+" + agentDigest.String()))
	target, err := imageref.Parse(a.Repository + ":" + a.TagPrefix + hex.EncodeToString(sum[:12]))
	tag, ok := target.(name.Tag)
	if err != nil || !ok {
		return "", fmt.Errorf("workload repository %q is not a repository name: %v", a.Repository, err)
	}
	if desc, err := remote.Head(tag, opts...); err == nil {
		return tag.Context().Digest(desc.Digest.String()).String(), nil
	}
	layers, err := agent.Layers()
	if err != nil {
		return "", err
	}
	img, err := mutate.AppendLayers(user, layers...)
	if err != nil {
		return "", err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", err
	}
	if img, err = mutate.Config(img, a.Wrap(cf.Config)); err != nil {
		return "", err
	}
	if err := remote.Write(tag, img, opts...); err != nil {
		return "", fmt.Errorf("push %s: %w", tag, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return "", err
	}
	return tag.Context().Digest(digest.String()).String(), nil
}

func image(ref string, opts []remote.Option) (v1.Image, v1.Hash, error) {
	r, err := imageref.Parse(ref)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	img, err := remote.Image(r, opts...)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	h, err := img.Digest()
	return img, h, err
}
