package content

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/sockerless/sockerless/sandbox/unpack"
)

// Loaded is one image read by Load, with the tags the archive gave it.
type Loaded struct {
	Image    Image
	RepoTags []string
}

// Load reads an archive made by `docker save` (manifest.json, old or
// new layout) or an OCI image layout tar, and stores its images.
func (s *Store) Load(ctx context.Context, r io.Reader) ([]Loaded, error) {
	tmp, err := s.tempDir()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	a, err := extractArchive(ctx, r, filepath.Join(tmp, "archive"))
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	l := loader{s: s, a: a, tmp: tmp, staged: map[string]stagedLayer{}}
	var out []Loaded
	switch {
	case a.has("manifest.json"):
		out, err = l.dockerArchive()
	case a.has("index.json"):
		out, err = l.ociLayout()
	default:
		err = errors.New("archive has neither manifest.json nor index.json; is it from docker save?")
	}
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return out, nil
}

// archive is an extracted tar: regular files on disk, symlinks kept
// aside and resolved within the archive (old docker save links shared
// layers this way).
type archive struct {
	dir   string
	links map[string]string
}

func extractArchive(ctx context.Context, r io.Reader, dir string) (*archive, error) {
	a := &archive{dir: dir, links: map[string]string{}}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rc, _, err := decompress(contextReader{ctx, r})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return a, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the archive: %w", err)
		}
		rel, err := unpack.CleanName(h.Name)
		if err != nil {
			return nil, err
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			a.links[rel] = path.Join(path.Dir(rel), h.Linkname)
		case tar.TypeReg, tar.TypeRegA:
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, err
			}
		}
	}
}

// path resolves name inside the archive to a file on disk.
func (a *archive) path(name string) (string, error) {
	p, err := a.resolve(name)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("archive lacks %s", name)
	}
	return p, nil
}

// resolve follows the archive's symlinks to the path name stands for.
func (a *archive) resolve(name string) (string, error) {
	rel, err := unpack.CleanName(name)
	if err != nil {
		return "", err
	}
	for hops := 0; ; hops++ {
		target, ok := a.links[rel]
		if !ok {
			break
		}
		if hops > 10 {
			return "", fmt.Errorf("%s: too many symbolic links", name)
		}
		if rel, err = unpack.CleanName(target); err != nil {
			return "", err
		}
	}
	return filepath.Join(a.dir, filepath.FromSlash(rel)), nil
}

func (a *archive) has(name string) bool {
	_, err := a.path(name)
	return err == nil
}

func (a *archive) read(name string) ([]byte, error) {
	p, err := a.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

type loader struct {
	s      *Store
	a      *archive
	tmp    string
	staged map[string]stagedLayer
}

// layer stages a layer file once, however many images use it.
func (l *loader) layer(name string, keepPlain bool) (stagedLayer, error) {
	// Looked up before touching the file: an earlier image's commit may
	// have moved it into the store already.
	p, err := l.a.resolve(name)
	if err != nil {
		return stagedLayer{}, err
	}
	if st, ok := l.staged[p]; ok {
		return st, nil
	}
	if p, err = l.a.path(name); err != nil {
		return stagedLayer{}, err
	}
	st, err := stageFile(p, l.tmp, keepPlain, nil)
	if err != nil {
		return stagedLayer{}, fmt.Errorf("layer %s: %w", name, err)
	}
	l.staged[p] = st
	return st, nil
}

// checkDiffIDs holds the layers to the config's record of them, so the
// image ID (the config digest) still says what the layers are.
func checkDiffIDs(config []byte, layers []stagedLayer) error {
	cf, err := v1.ParseConfigFile(bytes.NewReader(config))
	if err != nil {
		return fmt.Errorf("image config: %w", err)
	}
	if len(cf.RootFS.DiffIDs) != len(layers) {
		return fmt.Errorf("config lists %d layers, archive has %d", len(cf.RootFS.DiffIDs), len(layers))
	}
	for i, l := range layers {
		if l.diffID != cf.RootFS.DiffIDs[i] {
			return fmt.Errorf("layer %d has content %s, config says %s", i+1, l.diffID, cf.RootFS.DiffIDs[i])
		}
	}
	return nil
}

// dockerArchive loads the images manifest.json lists.
func (l *loader) dockerArchive() ([]Loaded, error) {
	raw, err := l.a.read("manifest.json")
	if err != nil {
		return nil, err
	}
	var m tarball.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	var out []Loaded
	for _, entry := range m {
		config, err := l.a.read(entry.Config)
		if err != nil {
			return nil, err
		}
		layers := make([]stagedLayer, len(entry.Layers))
		for i, name := range entry.Layers {
			if layers[i], err = l.layer(name, false); err != nil {
				return nil, err
			}
		}
		if err := checkDiffIDs(config, layers); err != nil {
			return nil, err
		}
		rec, err := recordFor(config, layers)
		if err != nil {
			return nil, err
		}
		img, _, err := l.s.commit(rec)
		if err != nil {
			return nil, err
		}
		tags, err := familiarTags(entry.RepoTags)
		if err != nil {
			return nil, err
		}
		out = addLoaded(out, img, tags)
	}
	return out, nil
}

// ociLayout loads the images index.json lists, keeping their manifests.
func (l *loader) ociLayout() ([]Loaded, error) {
	raw, err := l.a.read("index.json")
	if err != nil {
		return nil, err
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	var out []Loaded
	for _, d := range idx.Manifests {
		img, err := l.ociImage(d, 0)
		if err != nil {
			return nil, err
		}
		var tags []string
		if t := tagOf(d.Annotations); t != "" {
			tags = []string{t}
		}
		out = addLoaded(out, img, tags)
	}
	return out, nil
}

// ociImage stores the image d names, picking linux/amd64 (or the first
// complete platform) from an index.
func (l *loader) ociImage(d v1.Descriptor, depth int) (Image, error) {
	raw, err := l.a.read(blobName(d.Digest))
	if err != nil {
		return Image{}, err
	}
	if d.MediaType.IsIndex() {
		if depth > 4 {
			return Image{}, errors.New("image indexes nest too deeply")
		}
		idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return Image{}, fmt.Errorf("index %s: %w", d.Digest, err)
		}
		want := v1.Platform{OS: "linux", Architecture: "amd64"}
		children := slices.Clone(idx.Manifests)
		slices.SortStableFunc(children, func(a, b v1.Descriptor) int {
			am, bm := a.Platform != nil && a.Platform.Satisfies(want), b.Platform != nil && b.Platform.Satisfies(want)
			switch {
			case am && !bm:
				return -1
			case bm && !am:
				return 1
			}
			return 0
		})
		var firstErr error
		for _, c := range children {
			if !c.MediaType.IsImage() && !c.MediaType.IsIndex() {
				continue // attestations and other artifacts
			}
			img, err := l.ociImage(c, depth+1)
			if err == nil {
				return img, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("index %s lists no image", d.Digest)
		}
		return Image{}, firstErr
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return Image{}, fmt.Errorf("manifest %s: %w", d.Digest, err)
	}
	config, err := l.a.read(blobName(m.Config.Digest))
	if err != nil {
		return Image{}, err
	}
	layers := make([]stagedLayer, len(m.Layers))
	for i, ld := range m.Layers {
		if layers[i], err = l.layer(blobName(ld.Digest), true); err != nil {
			return Image{}, err
		}
		if layers[i].digest != ld.Digest {
			return Image{}, fmt.Errorf("blob %s has digest %s", ld.Digest, layers[i].digest)
		}
	}
	if err := checkDiffIDs(config, layers); err != nil {
		return Image{}, err
	}
	mt := m.MediaType
	if mt == "" {
		mt = d.MediaType
	}
	img, _, err := l.s.commit(record{manifest: raw, mediaType: mt, config: config, layers: layers})
	return img, err
}

// tagOf reads the tag an index.json entry carries: containerd's full
// name, or an OCI ref name when it is a full reference (a bare "latest"
// names no repository).
func tagOf(a map[string]string) string {
	for _, k := range []string{annotImageName, annotRefName} {
		v := a[k]
		if v == "" || (k == annotRefName && !strings.ContainsAny(v, ":/")) {
			continue
		}
		if tag, err := name.NewTag(v); err == nil {
			return FamiliarString(tag)
		}
	}
	return ""
}

func familiarTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		tag, err := name.NewTag(t)
		if err != nil {
			return nil, fmt.Errorf("invalid tag %q: %w", t, err)
		}
		out = append(out, FamiliarString(tag))
	}
	return out, nil
}

// addLoaded merges results by image ID.
func addLoaded(out []Loaded, img Image, tags []string) []Loaded {
	for i := range out {
		if out[i].Image.ID == img.ID {
			for _, t := range tags {
				if !slices.Contains(out[i].RepoTags, t) {
					out[i].RepoTags = append(out[i].RepoTags, t)
				}
			}
			return out
		}
	}
	return append(out, Loaded{Image: img, RepoTags: tags})
}
