package rootfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// writeFlags are the open flags that change an existing file.
const writeFlags = os.O_WRONLY | os.O_RDWR | os.O_TRUNC | os.O_APPEND

// locate resolves name to its node and parent, refusing /proc.
func (f *FS) locate(op, name string, followLast bool) (dir, n node, err error) {
	dir, n, err = f.walk(name, followLast)
	if err != nil {
		return dir, n, err
	}
	if isProc(n.p) {
		return dir, n, &fs.PathError{Op: op, Path: name, Err: syscall.ENOENT}
	}
	return dir, n, nil
}

// forWrite is locate for operations that change the filesystem.
func (f *FS) forWrite(op, name string, followLast bool) (dir, n node, err error) {
	dir, n, err = f.locate(op, name, followLast)
	if err != nil {
		return dir, n, err
	}
	if n.ro {
		return dir, n, &fs.PathError{Op: op, Path: name, Err: syscall.EROFS}
	}
	if deviceOf(n.p) != devNone {
		return dir, n, &fs.PathError{Op: op, Path: name, Err: syscall.EPERM}
	}
	return dir, n, nil
}

// OpenFile opens name like os.OpenFile. Virtual devices are served from
// std. The result is an *os.File for real files. Opening a lower file
// for writing copies it up first.
func (f *FS) OpenFile(name string, flag int, perm fs.FileMode, std Stdio) (io.ReadWriteCloser, error) {
	dir, n, err := f.locate("open", name, true)
	if err != nil {
		return nil, err
	}
	if d := deviceOf(n.p); d != devNone {
		return openDevice(d, flag, std)
	}
	if n.ro && flag&(writeFlags|os.O_CREATE) != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EROFS}
	}
	if n.fi == nil {
		if flag&os.O_CREATE == 0 {
			return nil, n.exists("open", name)
		}
		var file *os.File
		err := f.create(dir, n, false, func(host string) (err error) {
			file, err = f.openHost(host, flag, perm)
			return err
		})
		if err != nil {
			return nil, pathErr("open", name, err)
		}
		return file, nil
	}
	host := n.host
	if n.in == lower && flag&writeFlags != 0 {
		switch {
		case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST}
		case n.isDir():
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
		}
		up, err := f.copyUp(dir, n, flag&os.O_TRUNC == 0)
		if err != nil {
			return nil, pathErr("open", name, err)
		}
		host = up.host
	}
	file, err := f.openHost(host, flag, perm)
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
	_, n, err := f.locate(op, name, follow)
	if err != nil {
		return nil, err
	}
	if deviceOf(n.p) != devNone {
		return deviceInfo(n.p)
	}
	if err := n.exists(op, name); err != nil {
		return nil, err
	}
	return n.fi, nil
}

// ReadDir lists a directory sorted by name; a layered directory lists
// upper and lower merged, without whiteouts or what they hide.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	_, n, err := f.locate("open", name, true)
	if err != nil {
		return nil, err
	}
	if err := n.exists("open", name); err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.ENOTDIR}
	}
	ents, err := f.readDir(n)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return ents, nil
}

// Readlink returns a symlink's target as stored.
func (f *FS) Readlink(name string) (string, error) {
	_, n, err := f.locate("readlink", name, false)
	if err != nil {
		return "", err
	}
	if err := n.exists("readlink", name); err != nil {
		return "", err
	}
	t, err := f.readlink(n.host)
	return t, pathErr("readlink", name, err)
}

// Mkdir creates one directory.
func (f *FS) Mkdir(name string, perm fs.FileMode) error {
	dir, n, err := f.forWrite("mkdir", name, false)
	if err != nil {
		return err
	}
	return pathErr("mkdir", name, f.mkdir(dir, n, perm))
}

func (f *FS) mkdir(dir, n node, perm fs.FileMode) error {
	if n.fi != nil {
		return syscall.EEXIST
	}
	return f.create(dir, n, true, func(host string) error { return f.mkdirHost(host, perm) })
}

// MkdirAll creates a directory and its missing parents. Resolution has
// already expanded every existing component, so each missing one is made
// in turn below a symlink-free prefix.
func (f *FS) MkdirAll(name string, perm fs.FileMode) error {
	_, n, err := f.forWrite("mkdir", name, true)
	if err != nil {
		return err
	}
	if n.isDir() {
		return nil
	}
	dir := f.rootNode()
	for _, c := range split(n.p) {
		n := f.child(dir, c)
		switch {
		case n.fi == nil:
			if n.ro {
				return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.EROFS}
			}
			if err := f.mkdir(dir, n, perm); err != nil && !errors.Is(err, fs.ErrExist) {
				return pathErr("mkdir", name, err)
			}
			n = f.lookup(n.p) // its parent may have been copied up
		case !n.isDir():
			return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.ENOTDIR}
		}
		dir = n
	}
	return nil
}

// Remove removes a file or an empty directory (not following a final link).
func (f *FS) Remove(name string) error {
	dir, n, err := f.forWrite("remove", name, false)
	if err != nil {
		return err
	}
	if err := n.exists("remove", name); err != nil {
		return err
	}
	if n.p == "/" {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.EBUSY}
	}
	if n.isDir() {
		ents, err := f.readDir(n)
		if err != nil {
			return pathErr("remove", name, err)
		}
		if len(ents) > 0 {
			return &fs.PathError{Op: "remove", Path: name, Err: syscall.ENOTEMPTY}
		}
	}
	if n.in == upper {
		// An upper directory empty in the view may still hold whiteouts.
		rm := f.removeHost
		if n.isDir() && n.mnt < 0 && f.lower != "" {
			rm = f.removeAllHost
		}
		if err := rm(n.host); err != nil {
			return pathErr("remove", name, err)
		}
	}
	return pathErr("remove", name, f.removed(dir, n))
}

// RemoveAll removes a tree. It never follows symlinks in the tree nor
// leaves the layer or mount directory the tree is in (host.go), and
// mounts are mapped by path, not present in the host tree, so it stays
// within the resolved host directory. Lower content is hidden by a
// whiteout instead.
func (f *FS) RemoveAll(name string) error {
	dir, n, err := f.forWrite("remove", name, false)
	if err != nil {
		return err
	}
	if n.fi == nil {
		return nil
	}
	if n.p == "/" {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.EBUSY}
	}
	if n.in == upper {
		if err := f.removeAllHost(n.host); err != nil {
			return pathErr("remove", name, err)
		}
	}
	return pathErr("remove", name, f.removed(dir, n))
}

// Symlink creates name pointing at target; the target is stored as given
// and only ever interpreted inside the container.
func (f *FS) Symlink(target, name string) error {
	dir, n, err := f.forWrite("symlink", name, false)
	if err != nil {
		return err
	}
	if n.fi != nil {
		return &fs.PathError{Op: "symlink", Path: name, Err: syscall.EEXIST}
	}
	err = f.create(dir, n, false, func(host string) error { return f.symlinkHost(target, host) })
	return pathErr("symlink", name, err)
}

// Chtimes sets access and modification times.
func (f *FS) Chtimes(name string, atime, mtime time.Time) error {
	host, err := f.changeInPlace("chtimes", name)
	if err != nil {
		return err
	}
	return pathErr("chtimes", name, f.chtimesHost(host, atime, mtime))
}

// Chmod changes permission bits.
func (f *FS) Chmod(name string, mode fs.FileMode) error {
	host, err := f.changeInPlace("chmod", name)
	if err != nil {
		return err
	}
	return pathErr("chmod", name, f.chmodHost(host, mode))
}

// Chown changes the owner of name, or with follow false of a final
// symlink itself. The ids are the host's; -1 leaves one unchanged.
func (f *FS) Chown(name string, uid, gid int, follow bool) error {
	host, err := f.changeAt("chown", name, follow)
	if err != nil {
		return err
	}
	return pathErr("chown", name, f.chownHost(host, uid, gid))
}

// changeInPlace resolves name, following links, for a change to its
// metadata and returns its writable host path, copying it up if needed.
func (f *FS) changeInPlace(op, name string) (string, error) { return f.changeAt(op, name, true) }

// changeAt is changeInPlace that follows a final symlink only when
// follow is set.
func (f *FS) changeAt(op, name string, follow bool) (string, error) {
	dir, n, err := f.forWrite(op, name, follow)
	if err != nil {
		return "", err
	}
	if err := n.exists(op, name); err != nil {
		return "", err
	}
	if n.in != lower {
		return n.host, nil
	}
	up, err := f.copyUp(dir, n, true)
	if err != nil {
		return "", pathErr(op, name, err)
	}
	return up.host, nil
}

// Writable reports whether name lies on a writable part of the tree.
func (f *FS) Writable(name string) bool {
	_, n, err := f.locate("access", name, true)
	return err == nil && !n.ro
}
