package rootfs

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Rename moves oldName to newName (not following final links); between
// mounts, or a mount and the root, it fails with EXDEV as across
// filesystems, and mv falls back to copying. A lower entry is copied up
// to move it (a directory recursively), and its old path whited out.
func (f *FS) Rename(oldName, newName string) error {
	sdir, s, err := f.forWrite("rename", oldName, false)
	if err != nil {
		return err
	}
	ddir, d, err := f.forWrite("rename", newName, false)
	if err != nil {
		return err
	}
	if err := s.exists("rename", oldName); err != nil {
		return err
	}
	switch {
	case s.p == d.p:
		return nil
	case s.mnt != d.mnt:
		return &fs.PathError{Op: "rename", Path: oldName, Err: syscall.EXDEV}
	case s.p == "/" || d.p == "/":
		return &fs.PathError{Op: "rename", Path: oldName, Err: syscall.EBUSY}
	case strings.HasPrefix(d.p, s.p+"/"):
		return &fs.PathError{Op: "rename", Path: newName, Err: syscall.EINVAL}
	}
	if s.mnt >= 0 || f.lower == "" {
		return pathErr("rename", oldName, f.renameHost(s.host, d.host))
	}
	if err := f.renameLayered(sdir, s, ddir, d); err != nil {
		return pathErr("rename", oldName, err)
	}
	return nil
}

// renameLayered moves s to d in the root tree of a layered FS.
func (f *FS) renameLayered(sdir, s, ddir, d node) error {
	if d.fi != nil {
		switch {
		case s.isDir() && !d.isDir():
			return syscall.ENOTDIR
		case !s.isDir() && d.isDir():
			return syscall.EISDIR
		case d.isDir():
			ents, err := f.readDir(d)
			if err != nil {
				return err
			}
			if len(ents) > 0 {
				return syscall.ENOTEMPTY
			}
		}
	}
	if isMeta(filepath.Base(d.p)) {
		return errReserved
	}
	// Everything that moves must be in upper, and the old path must keep
	// hiding what lower has there.
	moved, err := f.materialize(sdir, s)
	if err != nil {
		return err
	}
	// Copying s up may have made d's parent in upper too; look it up again.
	ddir, err = f.toUpper(f.lookup(ddir.p))
	if err != nil {
		return err
	}
	if d.in == upper && d.isDir() {
		// Empty in the view, but possibly holding whiteouts: rename(2)
		// only replaces a truly empty directory.
		if err := f.removeAllHost(d.host); err != nil {
			return err
		}
	}
	dst := f.upperPath(d.p)
	if err := f.renameHost(moved.host, dst); err != nil {
		return err
	}
	if f.lowerAt(ddir, d) {
		if moved.isDir() {
			if err := f.touch(filepath.Join(dst, opaque)); err != nil {
				return err
			}
		}
		if err := f.removeHost(filepath.Join(ddir.host, whPrefix+filepath.Base(d.p))); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	sdir, err = f.toUpper(f.lookup(sdir.p))
	if err != nil {
		return err
	}
	return f.removed(sdir, s)
}
