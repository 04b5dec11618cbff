package content

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// SaveImage names one image to save and the tags to record for it.
type SaveImage struct {
	ID       string
	RepoTags []string
}

// Annotations docker (with the containerd image store) puts on
// index.json entries.
const (
	annotImageName = "io.containerd.image.name"
	annotRefName   = "org.opencontainers.image.ref.name"
)

// Save writes imgs as one archive in the format of `docker save`
// (Docker 25 and later): an OCI image layout (oci-layout, index.json,
// blobs/sha256/...) whose manifest.json lets older loaders read it too.
func (s *Store) Save(ctx context.Context, w io.Writer, imgs []SaveImage) error {
	tw := tar.NewWriter(w)
	aw := &archiveWriter{tw: tw, s: s, done: map[string]bool{}}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
	}
	var (
		manifest tarball.Manifest
		index    = v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	)
	for _, si := range imgs {
		img, err := s.Image(si.ID)
		if err != nil {
			return err
		}
		m, err := s.manifest(img.Manifest.Digest)
		if err != nil {
			return err
		}
		entry := tarball.Descriptor{Config: blobName(m.Config.Digest)}
		for _, h := range append([]v1.Hash{m.Config.Digest, img.Manifest.Digest}, layerDigests(m)...) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := aw.blob(h); err != nil {
				return err
			}
		}
		entry.Layers = make([]string, 0, len(m.Layers))
		for _, l := range m.Layers {
			entry.Layers = append(entry.Layers, blobName(l.Digest))
		}
		desc := img.Manifest
		if len(si.RepoTags) == 0 {
			index.Manifests = append(index.Manifests, desc)
		}
		for _, t := range si.RepoTags {
			tag, err := name.NewTag(t)
			if err != nil {
				return fmt.Errorf("save: invalid tag %q: %w", t, err)
			}
			entry.RepoTags = append(entry.RepoTags, FamiliarString(tag))
			d := desc
			d.Annotations = map[string]string{annotImageName: fullName(tag), annotRefName: tag.TagStr()}
			index.Manifests = append(index.Manifests, d)
		}
		manifest = append(manifest, entry)
	}
	files := []struct {
		name string
		v    any
	}{
		{"index.json", index},
		{"manifest.json", manifest},
		{"oci-layout", map[string]string{"imageLayoutVersion": "1.0.0"}},
	}
	for _, f := range files {
		b, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		if err := aw.file(f.name, b); err != nil {
			return err
		}
	}
	return tw.Close()
}

// fullName is the normalized name docker records: "docker.io/library/alpine:3".
func fullName(tag name.Tag) string {
	reg := tag.Context().RegistryStr()
	if reg == name.DefaultRegistry {
		reg = "docker.io"
	}
	return reg + "/" + tag.Context().RepositoryStr() + ":" + tag.TagStr()
}

func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

func layerDigests(m *v1.Manifest) []v1.Hash {
	out := make([]v1.Hash, len(m.Layers))
	for i, l := range m.Layers {
		out[i] = l.Digest
	}
	return out
}

// archiveWriter writes each blob once, however many images share it.
type archiveWriter struct {
	tw   *tar.Writer
	s    *Store
	done map[string]bool
}

func (a *archiveWriter) blob(h v1.Hash) error {
	if a.done[h.Hex] {
		return nil
	}
	a.done[h.Hex] = true
	f, err := os.Open(a.s.blobPath(h))
	if err != nil {
		return fmt.Errorf("save: blob %s: %w", h, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: blobName(h), Typeflag: tar.TypeReg, Mode: 0o644, Size: fi.Size(), ModTime: time.Unix(0, 0)}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(a.tw, f)
	return err
}

func (a *archiveWriter) file(name string, b []byte) error {
	hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b)), ModTime: time.Unix(0, 0)}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := a.tw.Write(b)
	return err
}
