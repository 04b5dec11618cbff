package engine

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox/unpack"
)

// The engine makes image configs itself (commit, import) and has no API
// to store one given verbatim. An image with exactly the config core
// wants is made the way `docker load` takes one: the engine saves an
// image holding the layers, and a `docker save` archive of that config
// and those layers is loaded back. The engine keys its image IDs on the
// config's digest, so the loaded image's ID is the config's.

// emptyLayer is the diff ID of a layer that changes nothing: an empty
// tar, its two zero end blocks. The engine commits such a layer as no
// layer at all, while core counts one per step.
var emptyLayer = func() digest.Digest {
	sum := sha256.Sum256(make([]byte, 1024))
	return digest.NewDigestFromEncoded(digest.SHA256, hex.EncodeToString(sum[:]))
}()

// savedImage is an image the engine saved, unpacked in a directory.
type savedImage struct {
	dir string
	// config is the engine's config of the saved image, verbatim.
	config []byte
	// layers maps a diff ID to its layer file in dir.
	layers map[digest.Digest]string
}

// saveImage has the engine save ref and unpacks the archive.
func (d *Driver) saveImage(ctx context.Context, ref string) (*savedImage, error) {
	tmp := filepath.Join(d.cfg.Dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tmp, "image-")
	if err != nil {
		return nil, err
	}
	s := &savedImage{dir: dir, layers: map[digest.Digest]string{}}
	if err := s.fill(ctx, d.engine, ref); err != nil {
		s.close()
		return nil, fmt.Errorf("reading image %s from the engine: %w", ref, err)
	}
	return s, nil
}

func (s *savedImage) close() { _ = os.RemoveAll(s.dir) }

func (s *savedImage) fill(ctx context.Context, engine *client.Client, ref string) error {
	rc, err := engine.ImageSave(ctx, []string{ref})
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := unpack.Untar(rc, s.dir, unpack.OwnerWritable); err != nil {
		return err
	}
	raw, err := s.read("manifest.json")
	if err != nil {
		return err
	}
	var manifest []struct {
		Config string
		Layers []string
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	if len(manifest) != 1 {
		return fmt.Errorf("the archive holds %d images, want 1", len(manifest))
	}
	if s.config, err = s.read(manifest[0].Config); err != nil {
		return err
	}
	var img ocispec.Image
	if err := json.Unmarshal(s.config, &img); err != nil {
		return fmt.Errorf("image config: %w", err)
	}
	if len(img.RootFS.DiffIDs) != len(manifest[0].Layers) {
		return fmt.Errorf("the archive has %d layers for %d diff IDs", len(manifest[0].Layers), len(img.RootFS.DiffIDs))
	}
	for i, id := range img.RootFS.DiffIDs {
		if s.layers[id], err = s.path(manifest[0].Layers[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *savedImage) read(name string) ([]byte, error) {
	p, err := s.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// path is the host path of name in the unpacked archive, its links
// followed inside the archive's directory only (unpack.Resolve): an
// engine's archive cannot make the driver read a file outside it.
func (s *savedImage) path(name string) (string, error) {
	return unpack.Resolve(s.dir, name)
}

// dropFromLayer writes layer diffID again without the entries drop
// names (paths without a leading "/"), and returns the new diff ID, or
// "" when nothing is left of the layer.
func (s *savedImage) dropFromLayer(diffID digest.Digest, drop func(name string) bool) (digest.Digest, error) {
	src, ok := s.layers[diffID]
	if !ok {
		return "", fmt.Errorf("layer %s is not in the saved image", diffID)
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	r, err := uncompressed(in)
	if err != nil {
		return "", err
	}
	out, err := os.CreateTemp(s.dir, "layer-")
	if err != nil {
		return "", err
	}
	defer out.Close()
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(out, h))
	tr := tar.NewReader(r)
	kept := 0
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		if drop(strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")) {
			continue
		}
		kept++
		if err := tw.WriteHeader(hdr); err != nil {
			return "", err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if kept == 0 {
		return "", nil
	}
	id := digest.NewDigestFromEncoded(digest.SHA256, hex.EncodeToString(h.Sum(nil)))
	s.layers[id] = out.Name()
	return id, out.Close()
}

// uncompressed reads a layer file as a tar, whether the engine saved it
// plain (the classic image store) or gzipped (as pulled, containerd's).
func uncompressed(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

// load has the engine load an image of config, whose rootfs names
// layers s holds (or empty layers), and returns it as core records it:
// config verbatim.
func (d *Driver) load(ctx context.Context, s *savedImage, config []byte) (core.ImageContent, error) {
	var img ocispec.Image
	if err := json.Unmarshal(config, &img); err != nil {
		return core.ImageContent{}, fmt.Errorf("image config: %w", err)
	}
	for _, id := range img.RootFS.DiffIDs {
		if _, ok := s.layers[id]; !ok && id != emptyLayer {
			return core.ImageContent{}, fmt.Errorf("layer %s is not in the engine's image", id)
		}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeArchive(pw, s, config, img.RootFS.DiffIDs)) }()
	rc, err := d.engine.ImageLoad(ctx, pr, client.ImageLoadWithQuiet(true))
	if err != nil {
		pr.CloseWithError(err)
		return core.ImageContent{}, err
	}
	defer rc.Close()
	var id string
	err = readMessages(rc, func(m jsonstream.Message) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), "Loaded image ID: "); ok {
			id = strings.TrimSpace(v)
		}
	})
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return core.ImageContent{}, fmt.Errorf("engine load: %w", err)
	}
	if want := digest.FromBytes(config).String(); id != want {
		return core.ImageContent{}, fmt.Errorf("the engine loaded image %q, want %s", id, want)
	}
	insp, err := d.engine.ImageInspect(ctx, id)
	if err != nil {
		return core.ImageContent{}, err
	}
	return core.ImageContent{ID: id, ConfigJSON: config, Size: insp.Size}, nil
}

// writeArchive writes a `docker save` archive of one untagged image.
func writeArchive(w io.Writer, s *savedImage, config []byte, diffIDs []digest.Digest) error {
	tw := tar.NewWriter(w)
	add := func(name string, size int64, body io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := io.Copy(tw, body)
		return err
	}
	var layers []string
	for i, id := range diffIDs {
		name := fmt.Sprintf("layer-%d.tar", i)
		layers = append(layers, name)
		file, ok := s.layers[id]
		if !ok { // emptyLayer
			if err := add(name, 1024, strings.NewReader(string(make([]byte, 1024)))); err != nil {
				return err
			}
			continue
		}
		if err := addFile(add, name, file); err != nil {
			return err
		}
	}
	cfgName := digest.FromBytes(config).Encoded() + ".json"
	if err := add(cfgName, int64(len(config)), strings.NewReader(string(config))); err != nil {
		return err
	}
	manifest, err := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": nil, "Layers": layers}})
	if err != nil {
		return err
	}
	if err := add("manifest.json", int64(len(manifest)), strings.NewReader(string(manifest))); err != nil {
		return err
	}
	return tw.Close()
}

func addFile(add func(string, int64, io.Reader) error, name, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return add(name, fi.Size(), f)
}
