//go:build linux

// Package whiteouts converts a container's writable layer between the
// two ways of recording deletions over a lower layer: the sandbox's and
// OCI layers' files (".wh.NAME" hides NAME, ".wh..wh..opq" hides the
// whole lower directory), which every reader of a layer here
// understands, and the kernel overlayfs's (a 0:0 character device hides
// NAME, the xattr trusted.overlay.opaque="y" makes a directory opaque),
// which the kernel needs while the layer is mounted. The native runtime
// keeps a layer in the first form at rest and in the second while its
// container runs.
package whiteouts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockerless/sockerless/sandbox/unpack"
)

// opaqueXattr marks an overlayfs upper directory opaque: a trusted.
// xattr as root; not as root, the user. one a rootless container's
// overlay reads (mounted with userxattr in its user namespace), the only
// namespace an unprivileged process may write.
var opaqueXattr = map[bool]string{true: "trusted.overlay.opaque", false: "user.overlay.opaque"}[os.Geteuid() == 0]

// metaPrefix starts the sandbox's own temporaries (copy-up), never part
// of a layer.
const metaPrefix = ".wh..wh."

// ToKernel rewrites the layer under dir from whiteout files to the
// kernel overlayfs's form, ready to be mounted as an upper directory.
func ToKernel(dir string) error {
	return walkDirs(dir, func(d string, ents []fs.DirEntry) error {
		names := map[string]fs.DirEntry{}
		for _, e := range ents {
			names[e.Name()] = e
		}
		for _, e := range ents {
			name := e.Name()
			p := filepath.Join(d, name)
			switch {
			case name == unpack.OpaqueMarker:
				if err := setOpaque(d); err != nil {
					return err
				}
			case strings.HasPrefix(name, metaPrefix):
			case strings.HasPrefix(name, unpack.WhiteoutPrefix):
				gone := strings.TrimPrefix(name, unpack.WhiteoutPrefix)
				if other, ok := names[gone]; ok {
					// An entry replaced the deleted one; a directory then
					// hides everything the lower one had.
					if other.IsDir() {
						if err := setOpaque(filepath.Join(d, gone)); err != nil {
							return err
						}
					}
					break
				}
				if err := os.Remove(p); err != nil {
					return err
				}
				if err := unix.Mknod(filepath.Join(d, gone), unix.S_IFCHR, 0); err != nil {
					return fmt.Errorf("whiteouts: %s: %w", filepath.Join(d, gone), err)
				}
				continue
			default:
				continue
			}
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// ToFiles rewrites the layer under dir from the kernel overlayfs's form
// back to whiteout files, once it is unmounted.
func ToFiles(dir string) error {
	return walkDirs(dir, func(d string, ents []fs.DirEntry) error {
		if opaque(d) {
			if err := unix.Lremovexattr(d, opaqueXattr); err != nil {
				return fmt.Errorf("whiteouts: %s: %w", d, err)
			}
			if err := os.WriteFile(filepath.Join(d, unpack.OpaqueMarker), nil, 0o644); err != nil {
				return err
			}
		}
		for _, e := range ents {
			if e.Type()&fs.ModeCharDevice == 0 {
				continue
			}
			p := filepath.Join(d, e.Name())
			var st unix.Stat_t
			if err := unix.Lstat(p, &st); err != nil {
				return err
			}
			if st.Rdev != 0 {
				continue // a real device the container made
			}
			if err := os.Remove(p); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(d, unpack.WhiteoutPrefix+e.Name()), nil, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// walkDirs calls fn with each directory under root (root included) and
// its entries, parents before children, never following symlinks.
func walkDirs(root string, fn func(dir string, ents []fs.DirEntry) error) error {
	ents, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	if err := fn(root, ents); err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if err := walkDirs(filepath.Join(root, e.Name()), fn); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // fn removed it
			}
			return err
		}
	}
	return nil
}

func setOpaque(dir string) error {
	if err := unix.Lsetxattr(dir, opaqueXattr, []byte("y"), 0); err != nil {
		return fmt.Errorf("whiteouts: mark %s opaque: %w", dir, err)
	}
	return nil
}

func opaque(dir string) bool {
	buf := make([]byte, 8)
	n, err := unix.Lgetxattr(dir, opaqueXattr, buf)
	return err == nil && string(buf[:n]) == "y"
}
