package rootfs

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

const writeFlags = os.O_WRONLY | os.O_RDWR | os.O_CREATE | os.O_TRUNC | os.O_APPEND

// locate resolves name and maps it to the host, refusing /proc.
func (f *FS) locate(op, name string, followLast bool) (p, host string, ro bool, err error) {
	p, err = f.Resolve(name, followLast)
	if err != nil {
		return "", "", false, err
	}
	if isProc(p) {
		return "", "", false, &fs.PathError{Op: op, Path: name, Err: syscall.ENOENT}
	}
	host, ro = f.hostOf(p)
	return p, host, ro, nil
}

// forWrite is locate for operations that change the filesystem.
func (f *FS) forWrite(op, name string, followLast bool) (string, error) {
	p, host, ro, err := f.locate(op, name, followLast)
	if err != nil {
		return "", err
	}
	if ro {
		return "", &fs.PathError{Op: op, Path: name, Err: syscall.EROFS}
	}
	if deviceOf(p) != devNone {
		return "", &fs.PathError{Op: op, Path: name, Err: syscall.EPERM}
	}
	return host, nil
}

// OpenFile opens name like os.OpenFile. Virtual devices are served from
// std. The result is an *os.File for real files.
func (f *FS) OpenFile(name string, flag int, perm fs.FileMode, std Stdio) (io.ReadWriteCloser, error) {
	p, host, ro, err := f.locate("open", name, true)
	if err != nil {
		return nil, err
	}
	if d := deviceOf(p); d != devNone {
		return openDevice(d, flag, std)
	}
	if ro && flag&writeFlags != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EROFS}
	}
	file, err := os.OpenFile(host, flag, perm)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return file, nil
}

// Open opens name for reading.
func (f *FS) Open(name string) (io.ReadCloser, error) {
	return f.OpenFile(name, os.O_RDONLY, 0, Stdio{})
}

// ReadFile reads a whole file.
func (f *FS) ReadFile(name string) ([]byte, error) {
	r, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Stat follows symlinks inside the container.
func (f *FS) Stat(name string) (fs.FileInfo, error) { return f.stat("stat", name, true) }

// Lstat does not follow a final symlink.
func (f *FS) Lstat(name string) (fs.FileInfo, error) { return f.stat("lstat", name, false) }

func (f *FS) stat(op, name string, follow bool) (fs.FileInfo, error) {
	p, host, _, err := f.locate(op, name, follow)
	if err != nil {
		return nil, err
	}
	if deviceOf(p) != devNone {
		return deviceInfo(p)
	}
	fi, err := os.Lstat(host)
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	return fi, nil
}

// ReadDir lists a directory sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	_, host, _, err := f.locate("open", name, true)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(host)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return ents, nil
}

// Readlink returns a symlink's target as stored.
func (f *FS) Readlink(name string) (string, error) {
	_, host, _, err := f.locate("readlink", name, false)
	if err != nil {
		return "", err
	}
	t, err := os.Readlink(host)
	return t, pathErr("readlink", name, err)
}

// Mkdir creates one directory.
func (f *FS) Mkdir(name string, perm fs.FileMode) error {
	host, err := f.forWrite("mkdir", name, false)
	if err != nil {
		return err
	}
	return pathErr("mkdir", name, os.Mkdir(host, perm))
}

// MkdirAll creates a directory and its missing parents. Resolution has
// already expanded every existing component, so the host call only
// creates what is missing below a symlink-free prefix.
func (f *FS) MkdirAll(name string, perm fs.FileMode) error {
	host, err := f.forWrite("mkdir", name, true)
	if err != nil {
		return err
	}
	return pathErr("mkdir", name, os.MkdirAll(host, perm))
}

// Remove removes a file or an empty directory (not following a final link).
func (f *FS) Remove(name string) error {
	host, err := f.forWrite("remove", name, false)
	if err != nil {
		return err
	}
	return pathErr("remove", name, os.Remove(host))
}

// RemoveAll removes a tree. os.RemoveAll never follows symlinks, and
// mounts are mapped by path, not present in the host tree, so it stays
// within the resolved host directory.
func (f *FS) RemoveAll(name string) error {
	host, err := f.forWrite("remove", name, false)
	if err != nil {
		return err
	}
	return pathErr("remove", name, os.RemoveAll(host))
}

// Rename moves oldName to newName; across mounts it fails with EXDEV.
func (f *FS) Rename(oldName, newName string) error {
	from, err := f.forWrite("rename", oldName, false)
	if err != nil {
		return err
	}
	to, err := f.forWrite("rename", newName, false)
	if err != nil {
		return err
	}
	return pathErr("rename", oldName, os.Rename(from, to))
}

// Symlink creates name pointing at target; the target is stored as given
// and only ever interpreted inside the container.
func (f *FS) Symlink(target, name string) error {
	host, err := f.forWrite("symlink", name, false)
	if err != nil {
		return err
	}
	return pathErr("symlink", name, os.Symlink(target, host))
}

// Chtimes sets access and modification times.
func (f *FS) Chtimes(name string, atime, mtime time.Time) error {
	host, err := f.forWrite("chtimes", name, true)
	if err != nil {
		return err
	}
	return pathErr("chtimes", name, os.Chtimes(host, atime, mtime))
}

// Chmod changes permission bits.
func (f *FS) Chmod(name string, mode fs.FileMode) error {
	host, err := f.forWrite("chmod", name, true)
	if err != nil {
		return err
	}
	return pathErr("chmod", name, os.Chmod(host, mode))
}

// Writable reports whether name lies on a writable part of the tree.
func (f *FS) Writable(name string) bool {
	_, _, ro, err := f.locate("access", name, true)
	return err == nil && !ro
}
