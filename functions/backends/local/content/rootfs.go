package content

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sockerless/sockerless/sandbox/unpack"
)

// Rootfs unpacks the image's layers once and returns the directory. The
// directory is a template shared by every container of the image:
// callers copy it and must not change it. Concurrent calls for the same
// image wait for one unpack.
func (s *Store) Rootfs(ctx context.Context, id string) (string, error) {
	h, err := normalizeID(id)
	if err != nil {
		return "", err
	}
	lock, _ := s.unpack.LoadOrStore(h.Hex, &sync.Mutex{})
	lock.(*sync.Mutex).Lock()
	defer lock.(*sync.Mutex).Unlock()

	dst := filepath.Join(s.rootfsRoot(), h.Hex)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	img, err := s.Image(h.String())
	if err != nil {
		return "", err
	}
	m, err := s.manifest(img.Manifest.Digest)
	if err != nil {
		return "", err
	}
	tmp, err := s.tempDir()
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, "rootfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		return "", fmt.Errorf("content: %w", err)
	}
	u := unpack.New(root, unpack.Exact)
	for i, l := range m.Layers {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if err := s.applyBlob(u, l.Digest); err != nil {
			return "", fmt.Errorf("content: unpack layer %d (%s) of %s: %w", i+1, l.Digest, h, err)
		}
	}
	if err := u.Finish(); err != nil {
		return "", fmt.Errorf("content: unpack %s: %w", h, err)
	}
	if err := os.Rename(root, dst); err != nil {
		return "", fmt.Errorf("content: %w", err)
	}
	return dst, nil
}

func (s *Store) applyBlob(u *unpack.Unpacker, d v1.Hash) error {
	f, err := os.Open(s.blobPath(d))
	if err != nil {
		return err
	}
	defer f.Close()
	rc, _, err := decompress(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	return u.Apply(rc)
}

func (s *Store) manifest(d v1.Hash) (*v1.Manifest, error) {
	f, err := os.Open(s.blobPath(d))
	if err != nil {
		return nil, fmt.Errorf("content: manifest %s: %w", d, err)
	}
	defer f.Close()
	m, err := v1.ParseManifest(f)
	if err != nil {
		return nil, fmt.Errorf("content: manifest %s: %w", d, err)
	}
	return m, nil
}

// removeRootfs drops an unpacked template; it is moved aside first so a
// half-deleted tree is never mistaken for a complete one.
func (s *Store) removeRootfs(h v1.Hash) error {
	dst := filepath.Join(s.rootfsRoot(), h.Hex)
	if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	tmp, err := s.tempDir()
	if err != nil {
		return err
	}
	if err := os.Rename(dst, filepath.Join(tmp, "old")); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	if err := unpack.MakeWritable(tmp); err != nil {
		return err
	}
	return os.RemoveAll(tmp)
}
