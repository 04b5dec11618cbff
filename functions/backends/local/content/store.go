// Package content is local mode's image content store: an OCI image
// layout on disk holding manifests, configs and layer blobs, keyed by
// image ID (the config digest). Tags and image records belong to the
// caller's state store; this package only keeps what the bytes are.
//
// Every way in (Pull, Import, Load) stages blobs in a temporary
// directory and verifies them before anything is recorded, so a failed
// operation leaves no image behind.
package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ErrNotFound: no image with that ID in the store.
var ErrNotFound = errors.New("content: image not found")

// Annotations on index.json entries carry what the manifest does not.
const (
	annotID          = "io.sockerless.image.id"
	annotRepoDigests = "io.sockerless.repo-digests"
	annotSize        = "io.sockerless.size"
)

// Image describes one stored image.
type Image struct {
	// ID is "sha256:<config digest>", as docker shows it.
	ID string
	// RepoDigests are "repo@sha256:<manifest digest>" for each registry
	// the image was pulled from.
	RepoDigests []string
	// Manifest is the stored manifest's descriptor (digest, media type).
	Manifest v1.Descriptor
	Config   v1.ConfigFile
	// Size is the sum of the uncompressed layer sizes.
	Size int64
}

// Store is a content store rooted at one directory. It is safe for
// concurrent use within one process.
type Store struct {
	dir    string
	layout layout.Path
	// mu serialises changes to index.json and blob garbage collection.
	mu sync.Mutex
	// unpack holds one lock per image ID for Rootfs.
	unpack sync.Map
}

// Open opens or creates a store under dir.
func Open(dir string) (*Store, error) {
	s := &Store{dir: dir, layout: layout.Path(filepath.Join(dir, "oci"))}
	for _, d := range []string{string(s.layout), s.blobDir(), s.tmpRoot(), s.rootfsRoot()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
	}
	if _, err := os.Stat(filepath.Join(string(s.layout), "index.json")); errors.Is(err, os.ErrNotExist) {
		if err := s.writeIndex(&v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}); err != nil {
			return nil, err
		}
		layoutFile := []byte(`{"imageLayoutVersion":"1.0.0"}`)
		if err := os.WriteFile(filepath.Join(string(s.layout), "oci-layout"), layoutFile, 0o644); err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
	}
	// Leftovers of operations cut short by a crash are never recorded.
	entries, _ := os.ReadDir(s.tmpRoot())
	for _, e := range entries {
		os.RemoveAll(filepath.Join(s.tmpRoot(), e.Name()))
	}
	return s, nil
}

func (s *Store) blobDir() string    { return filepath.Join(string(s.layout), "blobs", "sha256") }
func (s *Store) tmpRoot() string    { return filepath.Join(s.dir, "tmp") }
func (s *Store) rootfsRoot() string { return filepath.Join(s.dir, "rootfs") }

func (s *Store) blobPath(h v1.Hash) string { return filepath.Join(s.blobDir(), h.Hex) }

func (s *Store) hasBlob(h v1.Hash) bool {
	_, err := os.Stat(s.blobPath(h))
	return err == nil
}

// tempDir makes a staging directory on the store's filesystem, so
// staged blobs move into place with a rename.
func (s *Store) tempDir() (string, error) {
	d, err := os.MkdirTemp(s.tmpRoot(), "stage-")
	if err != nil {
		return "", fmt.Errorf("content: %w", err)
	}
	return d, nil
}

// normalizeID accepts "sha256:<hex>" or a bare 64-hex ID.
func normalizeID(id string) (v1.Hash, error) {
	if !strings.Contains(id, ":") {
		id = "sha256:" + id
	}
	h, err := v1.NewHash(id)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("content: invalid image ID %q: %w", id, err)
	}
	return h, nil
}

func (s *Store) readIndex() (*v1.IndexManifest, error) {
	b, err := os.ReadFile(filepath.Join(string(s.layout), "index.json"))
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("content: index.json: %w", err)
	}
	return idx, nil
}

// writeIndex replaces index.json atomically.
func (s *Store) writeIndex(idx *v1.IndexManifest) error {
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return fmt.Errorf("content: %w", err)
	}
	return writeFileAtomic(filepath.Join(string(s.layout), "index.json"), b)
}

func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return fmt.Errorf("content: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("content: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	return nil
}

// Image returns the stored image with the given ID.
func (s *Store) Image(id string) (Image, error) {
	h, err := normalizeID(id)
	if err != nil {
		return Image{}, err
	}
	s.mu.Lock()
	idx, err := s.readIndex()
	s.mu.Unlock()
	if err != nil {
		return Image{}, err
	}
	for _, d := range idx.Manifests {
		if d.Annotations[annotID] == h.String() {
			return s.describe(d)
		}
	}
	return Image{}, fmt.Errorf("%w: %s", ErrNotFound, h)
}

// Images lists every stored image.
func (s *Store) Images() ([]Image, error) {
	s.mu.Lock()
	idx, err := s.readIndex()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]Image, 0, len(idx.Manifests))
	for _, d := range idx.Manifests {
		img, err := s.describe(d)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

// describe builds an Image from its index entry.
func (s *Store) describe(d v1.Descriptor) (Image, error) {
	img, err := s.layout.Image(d.Digest)
	if err != nil {
		return Image{}, fmt.Errorf("content: image %s: %w", d.Annotations[annotID], err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return Image{}, fmt.Errorf("content: image %s config: %w", d.Annotations[annotID], err)
	}
	size, _ := strconv.ParseInt(d.Annotations[annotSize], 10, 64)
	out := Image{
		ID:       d.Annotations[annotID],
		Manifest: v1.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size},
		Config:   *cf,
		Size:     size,
	}
	if rd := d.Annotations[annotRepoDigests]; rd != "" {
		out.RepoDigests = strings.Split(rd, ",")
	}
	return out, nil
}

// record is everything an ingest path verified and staged.
type record struct {
	manifest  []byte
	mediaType types.MediaType
	config    []byte
	layers    []stagedLayer
	// repoDigest is added to the image's RepoDigests when set.
	repoDigest string
}

// commit moves staged blobs into the layout and records the image. It
// reports whether the image (with that repo digest) was already there.
func (s *Store) commit(r record) (Image, bool, error) {
	cfgHash, _, err := v1.SHA256(bytes.NewReader(r.config))
	if err != nil {
		return Image{}, false, err
	}
	mHash, mSize, err := v1.SHA256(bytes.NewReader(r.manifest))
	if err != nil {
		return Image{}, false, err
	}
	var size int64
	for _, l := range r.layers {
		size += l.usize
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range r.layers {
		if err := s.placeBlob(l); err != nil {
			return Image{}, false, err
		}
	}
	for _, b := range []struct {
		h v1.Hash
		b []byte
	}{{cfgHash, r.config}, {mHash, r.manifest}} {
		if !s.hasBlob(b.h) {
			if err := writeFileAtomic(s.blobPath(b.h), b.b); err != nil {
				return Image{}, false, err
			}
		}
	}

	idx, err := s.readIndex()
	if err != nil {
		return Image{}, false, err
	}
	existed := false
	pos := slices.IndexFunc(idx.Manifests, func(d v1.Descriptor) bool { return d.Annotations[annotID] == cfgHash.String() })
	if pos >= 0 {
		// Same config, so the same image: keep the first manifest and
		// add where else it came from.
		d := &idx.Manifests[pos]
		digests := splitList(d.Annotations[annotRepoDigests])
		existed = r.repoDigest == "" || slices.Contains(digests, r.repoDigest)
		if !existed {
			d.Annotations[annotRepoDigests] = strings.Join(append(digests, r.repoDigest), ",")
		}
	} else {
		idx.Manifests = append(idx.Manifests, v1.Descriptor{
			MediaType: r.mediaType,
			Digest:    mHash,
			Size:      mSize,
			Annotations: map[string]string{
				annotID:          cfgHash.String(),
				annotRepoDigests: r.repoDigest,
				annotSize:        strconv.FormatInt(size, 10),
			},
		})
	}
	if !existed {
		if err := s.writeIndex(idx); err != nil {
			return Image{}, false, err
		}
	}
	pos = slices.IndexFunc(idx.Manifests, func(d v1.Descriptor) bool { return d.Annotations[annotID] == cfgHash.String() })
	img, err := s.describe(idx.Manifests[pos])
	return img, existed, err
}

// placeBlob renames a staged layer into the layout; a layer staged as
// already present must still be there (a concurrent Remove may have
// collected it, and then the caller retries).
func (s *Store) placeBlob(l stagedLayer) error {
	if l.file == "" {
		if !s.hasBlob(l.digest) {
			return fmt.Errorf("content: layer %s was removed while in use; retry", l.digest)
		}
		return nil
	}
	if s.hasBlob(l.digest) {
		return nil
	}
	if err := os.Rename(l.file, s.blobPath(l.digest)); err != nil {
		return fmt.Errorf("content: store layer %s: %w", l.digest, err)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Remove deletes the image and every blob no other image uses.
func (s *Store) Remove(id string) error {
	h, err := normalizeID(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	n := len(idx.Manifests)
	idx.Manifests = slices.DeleteFunc(idx.Manifests, func(d v1.Descriptor) bool { return d.Annotations[annotID] == h.String() })
	if len(idx.Manifests) == n {
		return fmt.Errorf("%w: %s", ErrNotFound, h)
	}
	if err := s.writeIndex(idx); err != nil {
		return err
	}
	if err := s.removeRootfs(h); err != nil {
		return err
	}
	return s.collect(idx)
}

// collect deletes blobs that no manifest in idx references.
func (s *Store) collect(idx *v1.IndexManifest) error {
	keep := map[string]bool{}
	for _, d := range idx.Manifests {
		keep[d.Digest.Hex] = true
		b, err := os.ReadFile(s.blobPath(d.Digest))
		if err != nil {
			return fmt.Errorf("content: %w", err)
		}
		m, err := v1.ParseManifest(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("content: manifest %s: %w", d.Digest, err)
		}
		keep[m.Config.Digest.Hex] = true
		for _, l := range m.Layers {
			keep[l.Digest.Hex] = true
		}
	}
	entries, err := os.ReadDir(s.blobDir())
	if err != nil {
		return fmt.Errorf("content: %w", err)
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			if err := os.Remove(filepath.Join(s.blobDir(), e.Name())); err != nil {
				return fmt.Errorf("content: %w", err)
			}
		}
	}
	return nil
}
