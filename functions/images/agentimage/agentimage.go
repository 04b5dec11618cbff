// Package agentimage makes the agent image: one layer holding the static
// agent binary at Path, which the ECS backend's sidecar copies into each
// task; and the workload images of the backends that append it to the
// user's image (Appended: Lambda's function images, Cloud Run's job
// images).
package agentimage

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/functions/images/imageref"
)

// Path is the agent binary in the image.
const Path = "/usr/local/bin/sockerless-agent"

// Build makes the agent image from a linux/amd64 agent binary. The
// layer's timestamps are fixed, so the same binary makes the same image.
func Build(binary string) (v1.Image, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, dir := range []string{"usr/", "usr/local/", "usr/local/bin/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: Path[1:], Mode: 0o755, Size: int64(len(bin)), ModTime: epoch}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", "amd64", v1.Time{Time: epoch}
	cf.Config.Entrypoint = []string{Path}
	cf.Config.Cmd = []string{"version"}
	return mutate.ConfigFile(img, cf)
}

// Push pushes img to ref (repository:tag) and returns it pinned by digest.
func Push(ctx context.Context, img v1.Image, ref string, keychain authn.Keychain) (string, error) {
	r, err := imageref.Parse(ref)
	if err != nil {
		return "", err
	}
	tag, ok := r.(name.Tag)
	if !ok {
		return "", fmt.Errorf("push to %s: give a repository and tag, not a digest", ref)
	}
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	if err := remote.Write(tag, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(keychain)); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return tag.Context().Digest(d.String()).String(), nil
}
