package content

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// OCI whiteouts: ".wh.<name>" deletes name from lower layers;
// ".wh..wh..opq" hides everything lower layers put in its directory.
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// unpacker applies layer tars, in order, onto a root directory. Paths
// are resolved by hand, component by component, so a symlink in the
// image (absolute or relative) can never lead a write outside root: it
// is followed as the container would see it, with root as "/".
type unpacker struct {
	root string
	// dirs keeps directory modes and times to apply at the end, when no
	// more files will be written into them.
	dirs map[string]dirMeta
	// written holds paths the current layer wrote, and their parents,
	// so an opaque marker spares them.
	written map[string]bool
	chown   bool
}

type dirMeta struct {
	mode  fs.FileMode
	mtime time.Time
}

func newUnpacker(root string) *unpacker {
	return &unpacker{root: root, dirs: map[string]dirMeta{}, chown: os.Geteuid() == 0}
}

func (u *unpacker) abs(rel string) string { return filepath.Join(u.root, filepath.FromSlash(rel)) }

// cleanName turns a tar entry name into a root-relative path, refusing
// names that climb out with "..".
func cleanName(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("entry %q escapes the root filesystem", name)
		}
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), nil
}

// resolveDir resolves a directory path inside root, following symlinks
// as the container would (confined to root) and creating missing
// directories. It returns the resolved root-relative path.
func (u *unpacker) resolveDir(rel string, hops *int) (string, error) {
	cur := ""
	for _, part := range strings.Split(rel, "/") {
		if part == "" || part == "." {
			continue
		}
		next := path.Join(cur, part)
		fi, err := os.Lstat(u.abs(next))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(u.abs(next), 0o755); err != nil {
				return "", err
			}
			cur = next
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink != 0:
			if *hops++; *hops > 40 {
				return "", fmt.Errorf("too many levels of symbolic links at %q", next)
			}
			target, err := os.Readlink(u.abs(next))
			if err != nil {
				return "", err
			}
			if !path.IsAbs(target) {
				target = path.Join("/", cur, target)
			}
			// Cleaning from "/" clamps ".." at the root, as the kernel
			// does inside a container.
			resolved, err := u.resolveDir(strings.TrimPrefix(path.Clean("/"+target), "/"), hops)
			if err != nil {
				return "", err
			}
			cur = resolved
		case fi.IsDir():
			cur = next
		default:
			return "", fmt.Errorf("%q is not a directory", next)
		}
	}
	return cur, nil
}

// entry resolves the parent of rel and returns the resolved path of
// rel itself (its last component is not followed).
func (u *unpacker) entry(rel string) (string, error) {
	hops := 0
	dir, err := u.resolveDir(path.Dir(rel), &hops)
	if err != nil {
		return "", err
	}
	return path.Join(dir, path.Base(rel)), nil
}

func (u *unpacker) markWritten(rel string) {
	for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		u.written[p] = true
	}
}

// apply unpacks one layer.
func (u *unpacker) apply(r io.Reader) error {
	u.written = map[string]bool{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := u.applyEntry(h, tr); err != nil {
			return fmt.Errorf("%s: %w", h.Name, err)
		}
	}
}

func (u *unpacker) applyEntry(h *tar.Header, r io.Reader) error {
	rel, err := cleanName(h.Name)
	if err != nil {
		return err
	}
	if rel == "" {
		if h.Typeflag == tar.TypeDir {
			u.dirs[""] = dirMeta{mode: h.FileInfo().Mode(), mtime: h.ModTime}
		}
		return nil
	}
	base := path.Base(rel)
	if base == opaqueMarker {
		hops := 0
		dir, err := u.resolveDir(path.Dir(rel), &hops)
		if err != nil {
			return err
		}
		return u.opaque(dir)
	}
	if strings.HasPrefix(base, whiteoutPrefix) {
		victim, err := u.entry(path.Join(path.Dir(rel), strings.TrimPrefix(base, whiteoutPrefix)))
		if err != nil {
			return err
		}
		return os.RemoveAll(u.abs(victim))
	}
	rel, err = u.entry(rel)
	if err != nil {
		return err
	}
	p := u.abs(rel)
	u.markWritten(rel)

	existing, err := os.Lstat(p)
	if err == nil && !(existing.IsDir() && h.Typeflag == tar.TypeDir) {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	mode := h.FileInfo().Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	switch h.Typeflag {
	case tar.TypeDir:
		if existing == nil || !existing.IsDir() {
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
		}
		u.dirs[rel] = dirMeta{mode: mode, mtime: h.ModTime}
	case tar.TypeReg, tar.TypeRegA:
		if err := writeFile(p, r, mode); err != nil {
			return err
		}
		if err := os.Chtimes(p, h.AccessTime, h.ModTime); err != nil {
			return err
		}
	case tar.TypeSymlink:
		// Kept verbatim: it is resolved inside the container, later.
		if err := os.Symlink(h.Linkname, p); err != nil {
			return err
		}
	case tar.TypeLink:
		target, err := cleanName(h.Linkname)
		if err != nil {
			return err
		}
		if target, err = u.entry(target); err != nil {
			return err
		}
		if err := os.Link(u.abs(target), p); err != nil {
			return err
		}
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		// Device nodes need privileges an unpack does not have, and a
		// container's /dev comes from its runtime, not its image; this
		// is what rootless engines do too.
		return nil
	default:
		// PAX global headers and vendor extensions carry no file.
		return nil
	}
	if u.chown {
		if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
			return err
		}
		// chown clears setuid and setgid bits: set the mode again.
		if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA {
			return os.Chmod(p, mode)
		}
	}
	return nil
}

func writeFile(p string, r io.Reader, mode fs.FileMode) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(p, mode)
}

// opaque removes from dir everything this layer did not write.
func (u *unpacker) opaque(dir string) error {
	entries, err := os.ReadDir(u.abs(dir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		rel := path.Join(dir, e.Name())
		switch {
		case !u.written[rel]:
			if err := os.RemoveAll(u.abs(rel)); err != nil {
				return err
			}
		case e.IsDir():
			if err := u.opaque(rel); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish applies directory modes and times, deepest first, so setting
// a parent's time is not undone by changes to its children.
func (u *unpacker) finish() error {
	dirs := make([]string, 0, len(u.dirs))
	for d := range u.dirs {
		dirs = append(dirs, d)
	}
	slices.SortFunc(dirs, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, d := range dirs {
		p := u.abs(d)
		if !u.plainDir(d) {
			continue // replaced, whited out, or now reached through a symlink
		}
		m := u.dirs[d]
		if err := os.Chmod(p, m.mode); err != nil {
			return err
		}
		if err := os.Chtimes(p, m.mtime, m.mtime); err != nil {
			return err
		}
	}
	return nil
}

// makeWritable lets an unprivileged process delete a tree that holds
// read-only directories.
func makeWritable(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chmod(p, fi.Mode().Perm()|0o700)
	})
}
