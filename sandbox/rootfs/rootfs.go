// Package rootfs confines file access to a container's root directory and
// its mounts. Every path is a container path; it is resolved component by
// component the way the kernel does inside a chroot, so "..", absolute
// paths and symlinks (absolute or relative, chained) never leave the root.
//
// The root can be layered like overlayfs: a writable upper directory (the
// container's own) over a read-only lower one (the image template, shared
// by every container of the image and never modified). See layer.go.
//
// Resolution and the following host operation are not atomic: a process
// of the container can swap a resolved directory for a symlink to a host
// path in between. No host operation follows such a symlink out: opens
// and, on Linux, the operations on names refuse any symlink on the way
// (openat2 RESOLVE_NO_SYMLINKS), the rest go through an os.Root of the
// layer or mount directory. See host.go.
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
	root   string  // host directory, absolute, symlink-free; the upper layer
	lower  string  // read-only lower layer, like root; "" when not layered
	mounts []Mount // cleaned; deepest target first so the longest prefix wins
}

// New returns the view of root with mounts laid over it.
func New(root string, mounts []Mount) (*FS, error) {
	return NewLayered(root, "", mounts)
}

// NewLayered returns the view of the writable directory upper laid over
// the read-only directory lower, with mounts laid over both. Lower is
// never modified: writes copy files up first and deletions leave
// whiteouts in upper. An empty lower is the same as New(upper, mounts).
func NewLayered(upper, lower string, mounts []Mount) (*FS, error) {
	r, err := hostDir(upper)
	if err != nil {
		return nil, fmt.Errorf("rootfs: root %q: %w", upper, err)
	}
	var lo string
	if lower != "" {
		if lo, err = hostDir(lower); err != nil {
			return nil, fmt.Errorf("rootfs: lower %q: %w", lower, err)
		}
		// Writes to upper must never land in lower, nor lower show upper.
		if within(r, lo) || within(lo, r) {
			return nil, fmt.Errorf("rootfs: upper %q and lower %q overlap", upper, lower)
		}
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
	return &FS{root: r, lower: lo, mounts: ms}, nil
}

// within reports whether host path p is dir or lies below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))
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

// Root is the host directory holding the container's root filesystem:
// its upper, writable layer when layered.
func (f *FS) Root() string { return f.root }

// Lower is the read-only lower layer, "" when the FS is not layered.
func (f *FS) Lower() string { return f.lower }

// Mounts returns the mounts with cleaned targets, deepest first.
func (f *FS) Mounts() []Mount { return append([]Mount(nil), f.mounts...) }

// mountOf maps a clean absolute container path lying on a mount to its
// host path without following any symlink; i is -1 when p is on no mount.
func (f *FS) mountOf(p string) (host string, i int) {
	for i, m := range f.mounts {
		if m.Target == "/" {
			return filepath.Join(m.Source, p), i
		}
		if p == m.Target || strings.HasPrefix(p, m.Target+"/") {
			return filepath.Join(m.Source, p[len(m.Target):]), i
		}
	}
	return "", -1
}

// Resolve returns the clean container path name refers to, with every
// symlink in it expanded inside the container (the last one only when
// followLast). name must be absolute. Components that do not exist are
// kept as they are, so that the result can name a file to create.
func (f *FS) Resolve(name string, followLast bool) (string, error) {
	_, n, err := f.walk(name, followLast)
	return n.p, err
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
// path and return an error. In a layered FS a file only in the lower
// layer maps to its lower host path: it is for reading only. Callers that
// write must go through the FS or use HostPathForWrite. A directory in
// both layers maps to the upper one, which holds only part of what the
// container sees in it: list and walk directories through the FS.
func (f *FS) HostPath(name string) (string, error) {
	_, n, err := f.locate("hostpath", name, true)
	if err != nil {
		return "", err
	}
	if deviceOf(n.p) != devNone {
		return "", &fs.PathError{Op: "hostpath", Path: name, Err: errors.New("virtual file has no host path")}
	}
	return n.host, nil
}

// HostPathForWrite is HostPath for a caller that will change the file
// on the host: a lower file is copied up first (a lower directory only
// itself, not its content), and the parents of a missing path are made
// in upper, so the result is in upper or on a writable mount.
//
// Changes made there show through the layering as they would through the
// FS, except deletions: removing a host file that hides a lower one makes
// the lower one visible again, so deletions must go through the FS. A
// directory created at a path the container deleted hides the lower one.
func (f *FS) HostPathForWrite(name string) (string, error) {
	dir, n, err := f.forWrite("hostpath", name, true)
	if err != nil {
		return "", err
	}
	if n.mnt >= 0 {
		return n.host, nil
	}
	switch n.in {
	case upper:
		return n.host, nil
	case lower:
		up, err := f.copyUp(dir, n, true)
		if err != nil {
			return "", pathErr("hostpath", name, err)
		}
		return up.host, nil
	}
	if f.lower != "" && isMeta(path.Base(n.p)) {
		return "", &fs.PathError{Op: "hostpath", Path: name, Err: errReserved}
	}
	if _, err := f.toUpper(dir); err != nil {
		return "", pathErr("hostpath", name, err)
	}
	return n.host, nil
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
