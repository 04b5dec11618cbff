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
	// StagedDir is where container id's staged files are kept: in the
	// storage (as a workload mounts it) and where the control plane
	// sees them.
	StagedDir(id string) (inStorage, local string)
}

// WithStaging is b whose workloads have a writable root filesystem,
// which their agent fills at start with what was copied into them
// before (see Files); the driver mounts the staged directory.
func (b Base) WithStaging() Base {
	b.staging = true
	return b
}

// Files reaches a stopped container's named volumes, which live in
// shared storage the control plane sees: `docker cp` into a created
// container, as CI runners do before start, lands in its volumes as on
// dockerd. Its image and writable layer exist only while it runs in the
// cloud, so what is copied elsewhere is staged, where the backend can
// (WithStaging), for the agent to put in place at start; a path outside
// the volumes is otherwise refused.
func (b Base) Files(ctx context.Context, w core.Workload) (core.Files, error) {
	lv, ok := b.volumes.(LocalVolumes)
	if !ok {
		return nil, fmt.Errorf("the %s backend cannot reach a stopped container's files: %w", b.backend, core.ErrUnsupported)
	}
	f := volumeFiles{backend: b.backend}
	if b.staging {
		_, f.staged = lv.StagedDir(w.ID)
	}
	for _, m := range w.Mounts {
		if m.Volume == "" {
			continue // a bind mount: the edge copies it at start
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
	staged      bool // the staged root, not a volume
}

// volumeFiles is core.Files over a stopped container's volumes and its
// staged files: the archive code works in the container's paths, which
// fsys maps to their directories.
type volumeFiles struct {
	backend string
	mounts  []localMount
	staged  string // "" when nothing can be staged
}

// Stat and Get see a volume's files, and staged ones; not the image's.
func (f volumeFiles) Stat(p string) (proto.PathStat, error) {
	if err := f.reachable(p); err != nil {
		return proto.PathStat{}, err
	}
	return archive.Stat(fsys{f}, p)
}

func (f volumeFiles) Get(p string, w io.Writer) (proto.PathStat, error) {
	st, err := f.Stat(p)
	if err != nil {
		return st, err
	}
	return st, archive.Write(w, fsys{f}, p)
}

// Put extracts into a volume or, outside them, into the staged files:
// into / or a directory staged before (the image's own directories are
// not known here).
func (f volumeFiles) Put(p string, r io.Reader, noOverwriteDirNonDir bool) error {
	m, host, err := f.resolve(p)
	if err != nil {
		return err
	}
	switch {
	case m.readOnly:
		return fmt.Errorf("%w: mounted volume is marked read-only", proto.ErrInvalid)
	case m.staged && path.Clean(p) == "/":
		if err := os.MkdirAll(host, 0o755); err != nil {
			return err
		}
	case m.staged:
		if err := f.reachable(p); err != nil {
			return err
		}
	}
	return archive.Extract(r, fsys{f}, p, noOverwriteDirNonDir)
}

// reachable refuses a path outside the volumes that was not staged.
func (f volumeFiles) reachable(p string) error {
	m, host, err := f.resolve(p)
	if err != nil || !m.staged {
		return err
	}
	if _, err := os.Lstat(host); err != nil {
		return f.outside(p)
	}
	return nil
}

// resolve maps the container path p to its volume (or the staged root)
// and its place in that directory. A symlink on the way is refused
// rather than followed: where it leads is the container's view, not
// this machine's.
func (f volumeFiles) resolve(p string) (localMount, string, error) {
	p = path.Clean("/" + p)
	for _, m := range f.mounts {
		rel, ok := strings.CutPrefix(p, m.target)
		if ok && (rel == "" || rel[0] == '/' || m.target == "/") {
			return f.walk(m, rel)
		}
	}
	if f.staged != "" {
		return f.walk(localMount{target: "/", dir: f.staged, staged: true}, p)
	}
	return localMount{}, "", f.outside(p)
}

// walk is rel's place below m's directory, refusing symlinks on the way.
func (f volumeFiles) walk(m localMount, rel string) (localMount, string, error) {
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
			return m, "", fmt.Errorf("%s is a symlink in a stopped container: the %s backend does not follow it until the container runs: %w",
				path.Join(m.target, strings.Join(parts[:i+1], "/")), f.backend, core.ErrUnsupported)
		}
	}
	return m, host, nil
}

// outside is the refusal of p, which is in none of the volumes.
func (f volumeFiles) outside(p string) error {
	var targets []string
	for _, m := range f.mounts {
		targets = append(targets, m.target)
	}
	where := "it has no volumes"
	if len(targets) > 0 {
		where = "its volumes are at " + strings.Join(targets, ", ")
	}
	reach := "only in its named volumes"
	if f.staged != "" {
		reach = "only in its named volumes, in / and in what was copied there"
	}
	return fmt.Errorf("the %s backend reaches a stopped container's files %s, and %s is not among them (%s); start the container to copy elsewhere: %w",
		f.backend, reach, path.Clean("/"+p), where, core.ErrUnsupported)
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
		return nil, fmt.Errorf("%s is a symlink in a stopped container: the %s backend does not follow it until the container runs: %w", name, s.f.backend, core.ErrUnsupported)
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
