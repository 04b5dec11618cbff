// Package imagefs unpacks OCI images into plain directory trees, once per
// digest, so simulated services (ECS tasks, Lambda container-image
// functions) can run their files. Layer entries, and every symlink on the
// way to them, resolve inside the root as in a chroot, so no image can
// write outside its directory.
package imagefs

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Cache unpacks each image digest once into dir/<digest>/rootfs, the
// read-only template every process of that image runs over.
type Cache struct {
	dir     string
	mu      sync.Mutex
	pending map[string]*unpack // digest → unpack in progress or done
}

type unpack struct {
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
	return &Cache{dir: dir, pending: map[string]*unpack{}}
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
		u = &unpack{done: make(chan struct{})}
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

// extract writes the flattened filesystem (whiteouts applied by
// mutate.Extract) into root, through a temporary directory so a crash
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
	rc := mutate.Extract(img)
	defer rc.Close()
	if err := Untar(rc, tmp); err != nil {
		return fmt.Errorf("unpack image: %w", err)
	}
	return os.Rename(tmp, root)
}

// Untar writes a tar stream under dir; every name, and every symlink on
// the way to it, resolves inside dir as in a chroot.
func Untar(r io.Reader, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + h.Name)
		if name == "/" {
			continue
		}
		parent, err := resolveIn(dir, true, path.Dir(name))
		if err != nil {
			return fmt.Errorf("%s: %w", h.Name, err)
		}
		dst := filepath.Join(parent, path.Base(name))
		if fi, err := os.Lstat(dst); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			if h.Typeflag == tar.TypeDir {
				continue // an earlier layer's link (lib -> usr/lib) stays
			}
			os.Remove(dst) // replaced, never written through
		}
		mode := os.FileMode(h.Mode).Perm() | 0o200 // the owner (the simulator) must be able to clean up
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, mode|0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			os.Remove(dst)
			if err := os.Symlink(h.Linkname, dst); err != nil {
				return err
			}
		case tar.TypeLink:
			srcDir, err := resolveIn(dir, true, path.Dir(path.Clean("/"+h.Linkname)))
			if err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
			src := filepath.Join(srcDir, path.Base(h.Linkname))
			os.Remove(dst)
			if err := os.Link(src, dst); err != nil {
				return err
			}
		default:
			// Devices and FIFOs cannot be created unprivileged and mean
			// nothing to the sandbox; skip them.
		}
	}
}

// maxLinks bounds symlink expansion like Linux's MAXSYMLINKS.
const maxLinks = 40

// resolveIn returns the host directory that container directory p names
// in root, following symlinks as a chroot would (an absolute target
// starts again at root, ".." stops at root). With create it makes missing
// directories, so no layer entry can be written outside root; without,
// a missing component is an error and the last one may be a file.
func resolveIn(root string, create bool, p string) (string, error) {
	todo := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	cur, links := "/", 0
	for len(todo) > 0 {
		part := todo[0]
		todo = todo[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, part)
		host := filepath.Join(root, filepath.FromSlash(next))
		fi, err := os.Lstat(host)
		switch {
		case errors.Is(err, os.ErrNotExist) && create:
			if err := os.Mkdir(host, 0o755); err != nil {
				return "", err
			}
		case err != nil:
			return "", err
		case fi.Mode()&os.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", errors.New("too many levels of symbolic links")
			}
			target, err := os.Readlink(host)
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(target, "/") {
				cur = "/"
			}
			todo = append(strings.Split(target, "/"), todo...)
			continue
		case !fi.IsDir() && (create || len(todo) > 0):
			return "", fmt.Errorf("%s is not a directory", next)
		}
		cur = next
	}
	return filepath.Join(root, filepath.FromSlash(cur)), nil
}

// Resolve returns the host path of container path p in root, following
// symlinks as a chroot would, so a link in the image (bin -> usr/bin, or
// an absolute one) never leads out of root. The path must exist.
func Resolve(root, p string) (string, error) {
	return resolveIn(root, false, p)
}
