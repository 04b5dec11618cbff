package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/functions/images/agentimage"
	"github.com/sockerless/sockerless/functions/images/imageref"
)

// functionImage makes the function image of the user's image ref (pinned
// by digest): its layers, then the agent image's, with the agent as the
// entrypoint. The image is pushed once per (image, agent) pair, tagged
// by both digests; layers already in the registry are not uploaded
// again. It returns the pushed image pinned by digest.
func (d *Driver) functionImage(ctx context.Context, ref string) (string, error) {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(d.cfg.Keychain),
		remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"})}
	user, userDigest, err := d.image(ref, opts)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", ref, err)
	}
	agent, agentDigest, err := d.image(d.cfg.AgentImage, opts)
	if err != nil {
		return "", fmt.Errorf("agent image %s: %w", d.cfg.AgentImage, err)
	}
	sum := sha256.Sum256([]byte(userDigest.String() + "+" + agentDigest.String()))
	target, err := imageref.Parse(d.cfg.Repository + ":fn-" + hex.EncodeToString(sum[:12]))
	tag, ok := target.(name.Tag)
	if err != nil || !ok {
		return "", fmt.Errorf("workload repository %q is not a repository name: %v", d.cfg.Repository, err)
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
	cfg := cf.Config
	cfg.Entrypoint, cfg.Cmd = []string{agentimage.Path, "lambda"}, nil
	if img, err = mutate.Config(img, cfg); err != nil {
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

func (d *Driver) image(ref string, opts []remote.Option) (v1.Image, v1.Hash, error) {
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
