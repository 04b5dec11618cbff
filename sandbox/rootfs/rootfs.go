// Package rootfs confines file access to a container's root directory and
// its mounts. Every path is a container path; it is resolved component by
// component the way the kernel does inside a chroot, so "..", absolute
// paths and symlinks (absolute or relative, chained) never leave the root.
//
// Resolution and the following host operation are not atomic: a process
// that can change the host directory concurrently could race it. The
// sandbox's own processes only change it through this package, which
// re-resolves on every call.
package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Mount maps a host file or directory onto a container path.
type Mount struct {
	Source   string // host directory or file
	Target   string // container path
	ReadOnly bool
}

// maxLinks bounds symlink expansion like Linux's MAXSYMLINKS.
const maxLinks = 40

// FS is one container's view of the host filesystem.
type FS struct {
	root   string  // host directory, absolute, symlink-free
	mounts []Mount // cleaned; deepest target first so the longest prefix wins
}

// New returns the view of root with mounts laid over it.
func New(root string, mounts []Mount) (*FS, error) {
	r, err := hostDir(root)
	if err != nil {
		return nil, fmt.Errorf("rootfs: root %q: %w", root, err)
	}
	ms := make([]Mount, 0, len(mounts))
	for _, m := range mounts {
		if !path.IsAbs(m.Target) {
			return nil, fmt.Errorf("rootfs: mount target %q is not absolute", m.Target)
		}
		// The host side is trusted: resolve its own symlinks on the host
		// so that later resolution only ever interprets container links.
		src, err := filepath.EvalSymlinks(m.Source)
		if err != nil {
			return nil, fmt.Errorf("rootfs: mount source %q: %w", m.Source, err)
		}
		src, err = filepath.Abs(src)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Mount{Source: src, Target: path.Clean(m.Target), ReadOnly: m.ReadOnly})
	}
	sort.SliceStable(ms, func(i, j int) bool { return len(ms[i].Target) > len(ms[j].Target) })
	return &FS{root: r, mounts: ms}, nil
}

func hostDir(dir string) (string, error) {
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	d, err = filepath.Abs(d)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(d)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", errors.New("not a directory")
	}
	return d, nil
}

// Root is the host directory holding the container's root filesystem.
func (f *FS) Root() string { return f.root }

// Mounts returns the mounts with cleaned targets, deepest first.
func (f *FS) Mounts() []Mount { return append([]Mount(nil), f.mounts...) }

// hostOf maps a clean absolute container path to its host path without
// following any symlink, and reports whether it lies on a read-only mount.
func (f *FS) hostOf(p string) (string, bool) {
	for _, m := range f.mounts {
		if m.Target == "/" {
			return filepath.Join(m.Source, p), m.ReadOnly
		}
		if p == m.Target || strings.HasPrefix(p, m.Target+"/") {
			return filepath.Join(m.Source, p[len(m.Target):]), m.ReadOnly
		}
	}
	return filepath.Join(f.root, p), false
}

// Resolve returns the clean container path name refers to, with every
// symlink in it expanded inside the container (the last one only when
// followLast). name must be absolute. Components that do not exist are
// kept as they are, so that the result can name a file to create.
func (f *FS) Resolve(name string, followLast bool) (string, error) {
	if !path.IsAbs(name) {
		return "", &fs.PathError{Op: "resolve", Path: name, Err: errors.New("path is not absolute")}
	}
	pending := split(name)
	cur := "/"
	links := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if c == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		if len(pending) == 0 && !followLast {
			return next, nil
		}
		host, _ := f.hostOf(next)
		fi, err := os.Lstat(host)
		// A missing component is kept as is. Resolution must go on: a
		// later ".." can bring the walk back to existing links.
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", &fs.PathError{Op: "resolve", Path: name, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: next, Err: unwrap(err)}
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		pending = append(split(target), pending...)
	}
	return cur, nil
}

// split breaks a path into its components, dropping empty ones and ".".
func split(p string) []string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, s := range parts {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// HostPath maps a container path to the host path it names, following
// symlinks inside the container. Virtual devices and /proc have no host
// path and return an error.
func (f *FS) HostPath(name string) (string, error) {
	p, err := f.Resolve(name, true)
	if err != nil {
		return "", err
	}
	if isProc(p) || deviceOf(p) != devNone {
		return "", &fs.PathError{Op: "hostpath", Path: name, Err: errors.New("virtual file has no host path")}
	}
	h, _ := f.hostOf(p)
	return h, nil
}

// unwrap drops os-level wrapping so callers can rebuild errors that name
// container paths instead of host paths.
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// pathErr rewrites err to name the container path.
func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: unwrap(err)}
}
