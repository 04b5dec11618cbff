// Package unpack writes image layers, tar streams, into a root
// directory, confined to it: every entry name, hardlink source and
// symlink on the way resolves inside the root as in a chroot (an
// absolute target starts again at the root, ".." stops there), a name
// that climbs out with ".." is refused, and symlinks are written
// verbatim, for the container to resolve. OCI whiteouts delete what
// lower layers put. Local mode's image store, the engine driver's saved
// images and the simulators' images all unpack through it; the sandbox
// then runs over the result (rootfs's lower layer), with the same rules
// for symlinks.
package unpack

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// OCI whiteouts: ".wh.<name>" deletes name from lower layers;
// ".wh..wh..opq" hides everything lower layers put in its directory.
const (
	WhiteoutPrefix = ".wh."
	OpaqueMarker   = ".wh..wh..opq"
)

// Modes says what an unpack keeps of the headers' modes and owners.
type Modes int

const (
	// Exact keeps the headers' modes, setuid, setgid and sticky bits
	// included, and, when the process runs as root, their owners: the
	// image as its containers see it. Deleting the tree may need
	// MakeWritable first.
	Exact Modes = iota
	// OwnerWritable keeps the permission bits with the owner's write
	// bit added (and a directory's read, write and search bits), and no
	// owners: the unpacking process can always delete what it wrote.
	OwnerWritable
)

// Unpacker applies layers, in order, onto a root directory.
type Unpacker struct {
	root  string
	modes Modes
	chown bool
	// dirs keeps directory modes and times to apply at the end, when no
	// more files will be written into them.
	dirs map[string]dirMeta
	// written holds paths the current layer wrote, and their parents,
	// so an opaque marker spares them.
	written map[string]bool
}

type dirMeta struct {
	mode  fs.FileMode
	mtime time.Time
}

// New unpacks into the existing directory root.
func New(root string, modes Modes) *Unpacker {
	return &Unpacker{root: root, modes: modes, chown: modes == Exact && os.Geteuid() == 0, dirs: map[string]dirMeta{}}
}

// Untar unpacks one tar stream into root, creating root if need be.
func Untar(r io.Reader, root string, modes Modes) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	u := New(root, modes)
	if err := u.Apply(r); err != nil {
		return err
	}
	return u.Finish()
}

func (u *Unpacker) abs(rel string) string { return filepath.Join(u.root, filepath.FromSlash(rel)) }

// entry resolves the parent of rel, creating missing directories, and
// returns the resolved path of rel itself (its last component is not
// followed).
func (u *Unpacker) entry(rel string) (string, error) {
	dir, err := resolveIn(u.root, true, path.Dir(rel))
	if err != nil {
		return "", err
	}
	return path.Join(dir, path.Base(rel)), nil
}

func (u *Unpacker) markWritten(rel string) {
	for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		u.written[p] = true
	}
}

// Apply unpacks one layer over what earlier ones wrote.
func (u *Unpacker) Apply(r io.Reader) error {
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

func (u *Unpacker) applyEntry(h *tar.Header, r io.Reader) error {
	rel, err := CleanName(h.Name)
	if err != nil {
		return err
	}
	fileMode, dirMode := u.mode(h)
	if rel == "" {
		if h.Typeflag == tar.TypeDir {
			u.dirs[""] = dirMeta{mode: dirMode, mtime: h.ModTime}
		}
		return nil
	}
	base := path.Base(rel)
	if base == OpaqueMarker {
		dir, err := resolveIn(u.root, true, path.Dir(rel))
		if err != nil {
			return err
		}
		return u.opaque(dir)
	}
	if strings.HasPrefix(base, WhiteoutPrefix) {
		victim, err := u.entry(path.Join(path.Dir(rel), strings.TrimPrefix(base, WhiteoutPrefix)))
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
	switch h.Typeflag {
	case tar.TypeDir:
		if existing == nil || !existing.IsDir() {
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
		}
		u.dirs[rel] = dirMeta{mode: dirMode, mtime: h.ModTime}
	case tar.TypeReg, tar.TypeRegA:
		if err := writeFile(p, r, fileMode); err != nil {
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
		target, err := CleanName(h.Linkname)
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
			return os.Chmod(p, fileMode)
		}
	}
	return nil
}

// mode is what h's entry gets as a file and as a directory.
func (u *Unpacker) mode(h *tar.Header) (file, dir fs.FileMode) {
	m := h.FileInfo().Mode()
	if u.modes == OwnerWritable {
		return m.Perm() | 0o200, m.Perm() | 0o700
	}
	m &= fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	return m, m
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
func (u *Unpacker) opaque(dir string) error {
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
