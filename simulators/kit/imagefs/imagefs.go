// Package imagefs unpacks OCI images into plain directory trees, once per
// digest, so simulated services (the AWS simulator's ECS tasks and Lambda
// container-image functions, the GCP simulator's Cloud Run job tasks) can
// run their files. The unpacking itself is the sandbox's
// (sandbox/unpack): no image can write outside its directory.
package imagefs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sockerless/sockerless/sandbox/unpack"
)

// Cache unpacks each image digest once into dir/<digest>/rootfs, the
// read-only template every process of that image runs over.
type Cache struct {
	dir     string
	mu      sync.Mutex
	pending map[string]*unpacking // digest → unpack in progress or done
}

type unpacking struct {
	done chan struct{}
	err  error
}

// Image is an image ready to run: its digest, the directory holding its
// flattened filesystem, and its configuration (entrypoint, env, ...).
type Image struct {
	Digest string
	Root   string
	Config v1.Config
}

// NewCache keeps unpacked images under dir.
func NewCache(dir string) *Cache {
	return &Cache{dir: dir, pending: map[string]*unpacking{}}
}

// Get unpacks img unless an earlier call did; concurrent calls for one
// digest wait for the same unpack.
func (c *Cache) Get(ctx context.Context, img v1.Image) (*Image, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	digest := d.String()
	root := filepath.Join(c.dir, strings.ReplaceAll(digest, ":", "-"), "rootfs")
	out := &Image{Digest: digest, Root: root, Config: cf.Config}
	c.mu.Lock()
	u := c.pending[digest]
	if u == nil {
		u = &unpacking{done: make(chan struct{})}
		c.pending[digest] = u
		go func() {
			u.err = extract(img, root)
			close(u.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-u.done:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	if u.err != nil {
		c.mu.Lock()
		delete(c.pending, digest) // let a later task retry
		c.mu.Unlock()
		return nil, u.err
	}
	return out, nil
}

// extract unpacks the image's layers, in order, into root (unpack:
// confined to root, whiteouts applied, every file left writable by the
// simulator that cleans up), through a temporary directory so a crash
// never leaves a half-written template behind.
func extract(img v1.Image, root string) error {
	if _, err := os.Stat(root); err == nil {
		return nil // unpacked by an earlier run of the simulator
	}
	if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(root), "unpack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	u := unpack.New(tmp, unpack.OwnerWritable)
	for i, l := range layers {
		if err := applyLayer(u, l); err != nil {
			return fmt.Errorf("unpack image: layer %d: %w", i+1, err)
		}
	}
	if err := u.Finish(); err != nil {
		return fmt.Errorf("unpack image: %w", err)
	}
	return os.Rename(tmp, root)
}

func applyLayer(u *unpack.Unpacker, l v1.Layer) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	return u.Apply(rc)
}

// Resolve returns the host path of container path p in an image's
// root, following symlinks as a chroot would (unpack.Resolve).
func Resolve(root, p string) (string, error) { return unpack.Resolve(root, p) }
