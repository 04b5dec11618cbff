package remotecompute

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core"
)

// LocalVolumes is volume storage the control plane itself sees (the
// deployment's file system mounted into its function).
type LocalVolumes interface {
	// LocalDir is where the control plane sees name's data, made as the
	// storage would make it on a workload's first mount.
	LocalDir(ctx context.Context, name string) (string, error)
}

// Files reaches a stopped container's named volumes, which live in
// shared storage the control plane sees: `docker cp` into a created
// container, as CI runners do before start, lands in its volumes as on
// dockerd. Its image and writable layer exist only while it runs in the
// cloud, so paths outside its volumes are refused.
func (b Base) Files(ctx context.Context, w core.Workload) (core.Files, error) {
	lv, ok := b.volumes.(LocalVolumes)
	if !ok {
		return nil, fmt.Errorf("the %s backend cannot reach a stopped container's files: %w", b.backend, core.ErrUnsupported)
	}
	f := volumeFiles{backend: b.backend}
	for _, m := range w.Mounts {
		if m.Volume == "" {
			continue // a bind mount, refused at start
		}
		dir, err := lv.LocalDir(ctx, m.Volume)
		if err != nil {
			return nil, err
		}
		f.mounts = append(f.mounts, localMount{target: path.Clean(m.Target), dir: dir, readOnly: m.ReadOnly})
	}
	// The deepest mount holds a path, as in the container.
	sort.Slice(f.mounts, func(i, j int) bool { return len(f.mounts[i].target) > len(f.mounts[j].target) })
	return f, nil
}

type localMount struct {
	target, dir string
	readOnly    bool
}

// volumeFiles is core.Files over a stopped container's volumes: the
// archive code works in the container's paths, which fsys maps to the
// volumes' directories.
type volumeFiles struct {
	backend string
	mounts  []localMount
}

func (f volumeFiles) Stat(p string) (proto.PathStat, error) { return archive.Stat(fsys{f}, p) }

func (f volumeFiles) Get(p string, w io.Writer) (proto.PathStat, error) {
	st, err := archive.Stat(fsys{f}, p)
	if err != nil {
		return st, err
	}
	return st, archive.Write(w, fsys{f}, p)
}

func (f volumeFiles) Put(p string, r io.Reader, noOverwriteDirNonDir bool) error {
	m, _, err := f.resolve(p)
	if err != nil {
		return err
	}
	if m.readOnly {
		return fmt.Errorf("%w: mounted volume is marked read-only", proto.ErrInvalid)
	}
	return archive.Extract(r, fsys{f}, p, noOverwriteDirNonDir)
}

// resolve maps the container path p to its volume and its place in the
// volume's directory. A symlink on the way is refused rather than
// followed: where it leads is the container's view, not this machine's.
func (f volumeFiles) resolve(p string) (localMount, string, error) {
	p = path.Clean("/" + p)
	for _, m := range f.mounts {
		rel, ok := strings.CutPrefix(p, m.target)
		if !ok || rel != "" && rel[0] != '/' && m.target != "/" {
			continue
		}
		host := m.dir
		parts := strings.Split(strings.Trim(rel, "/"), "/")
		for i, part := range parts {
			if part == "" {
				continue
			}
			host = filepath.Join(host, part)
			if i == len(parts)-1 {
				break
			}
			if fi, err := os.Lstat(host); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return m, "", fmt.Errorf("%s is a symlink in a volume of a stopped container: the %s backend does not follow it until the container runs: %w",
					path.Join(m.target, strings.Join(parts[:i+1], "/")), f.backend, core.ErrUnsupported)
			}
		}
		return m, host, nil
	}
	targets := make([]string, len(f.mounts))
	for i, m := range f.mounts {
		targets[i] = m.target
	}
	where := "it has no volumes"
	if len(targets) > 0 {
		where = "its volumes are at " + strings.Join(targets, ", ")
	}
	return localMount{}, "", fmt.Errorf("the %s backend reaches a stopped container's files only in its named volumes, and %s is in none (%s); start the container to copy elsewhere: %w",
		f.backend, p, where, core.ErrUnsupported)
}

// fsys is archive.FS over volumeFiles' container paths.
type fsys struct{ f volumeFiles }

func (s fsys) host(name string) (string, error) {
	_, h, err := s.f.resolve(name)
	return h, err
}

func (s fsys) Lstat(name string) (fs.FileInfo, error) {
	h, err := s.host(name)
	if err != nil {
		return nil, err
	}
	return os.Lstat(h)
}

// Stat does not follow a final symlink either (see resolve).
func (s fsys) Stat(name string) (fs.FileInfo, error) {
	fi, err := s.Lstat(name)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symlink in a volume of a stopped container: the %s backend does not follow it until the container runs: %w", name, s.f.backend, core.ErrUnsupported)
	}
	return fi, err
}

func (s fsys) ReadDir(name string) ([]fs.DirEntry, error) {
	h, err := s.host(name)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(h)
}

func (s fsys) Readlink(name string) (string, error) {
	h, err := s.host(name)
	if err != nil {
		return "", err
	}
	return os.Readlink(h)
}

func (s fsys) Open(name string) (io.ReadCloser, error) {
	h, err := s.host(name)
	if err != nil {
		return nil, err
	}
	return os.Open(h)
}

func (s fsys) Create(name string, perm fs.FileMode) (io.WriteCloser, error) {
	h, err := s.host(name)
	if err != nil {
		return nil, err
	}
	return os.OpenFile(h, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, perm)
}

func (s fsys) Mkdir(name string, perm fs.FileMode) error {
	return s.do(name, func(h string) error { return os.Mkdir(h, perm) })
}

func (s fsys) MkdirAll(name string, perm fs.FileMode) error {
	return s.do(name, func(h string) error { return os.MkdirAll(h, perm) })
}

func (s fsys) Symlink(target, name string) error {
	return s.do(name, func(h string) error { return os.Symlink(target, h) })
}

func (s fsys) RemoveAll(name string) error {
	return s.do(name, os.RemoveAll)
}

// Chmod and Chtimes leave a symlink alone: they would follow it.
func (s fsys) Chmod(name string, mode fs.FileMode) error {
	return s.do(name, func(h string) error { return unlessLink(h, func() error { return os.Chmod(h, mode) }) })
}

func (s fsys) Chtimes(name string, atime, mtime time.Time) error {
	return s.do(name, func(h string) error { return unlessLink(h, func() error { return os.Chtimes(h, atime, mtime) }) })
}

func unlessLink(h string, op func() error) error {
	if fi, err := os.Lstat(h); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return op()
}

func (s fsys) do(name string, op func(host string) error) error {
	h, err := s.host(name)
	if err != nil {
		return err
	}
	return op(h)
}
