package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// On Linux the frequent operations (those resolution makes at every
// component, and the ones that create or delete names) use a faster,
// stricter path than os.Root: the parent directory is opened with
// openat2 refusing any symlink (as openHost opens files), so a swapped-in
// symlink fails the call with ELOOP, and the operation acts on the last
// name relative to that fd without following it. Kernels before 5.6 have
// no openat2 (ENOSYS): those fall back to the os.Root versions in host.go.

// errNoOpenat2 says the kernel lacks openat2.
var errNoOpenat2 = errors.New("openat2 not supported")

// openat2 is unix.Openat2; tests replace it to run the fallbacks.
var openat2 = unix.Openat2

// at calls fn with the fd of host path p's parent directory, opened
// refusing symlinks, and p's last name. When that parent is a layer or
// mount directory, or p is one itself, no component the container can
// change lies before p's last name: fn then gets p itself, saving the
// open on the paths resolution looks at most (the root, its entries).
func (f *FS) at(p string, fn func(dirfd int, name string) error) error {
	if dir := filepath.Dir(p); f.trusted(dir) || f.trusted(p) {
		return fn(unix.AT_FDCWD, p)
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := openat2(unix.AT_FDCWD, filepath.Dir(p), &how)
		switch {
		case err == nil:
			defer unix.Close(fd)
			return fn(fd, filepath.Base(p))
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOSYS):
			return errNoOpenat2
		}
		return err
	}
}

func (f *FS) lstat(p string) (fs.FileInfo, error) {
	var st unix.Stat_t
	err := f.at(p, func(d int, name string) error { return unix.Fstatat(d, name, &st, unix.AT_SYMLINK_NOFOLLOW) })
	switch {
	case err == nil:
		return newStatInfo(filepath.Base(p), &st), nil
	case errors.Is(err, errNoOpenat2):
		return f.rootLstat(p)
	}
	return nil, &fs.PathError{Op: "lstat", Path: p, Err: err}
}

func (f *FS) readlink(p string) (string, error) {
	var target string
	err := f.at(p, func(d int, name string) error {
		for size := 256; ; size *= 2 {
			buf := make([]byte, size)
			n, err := unix.Readlinkat(d, name, buf)
			if err != nil {
				return err
			}
			if n < size {
				target = string(buf[:n])
				return nil
			}
		}
	})
	if errors.Is(err, errNoOpenat2) {
		return f.rootReadlink(p)
	}
	return target, rebase("readlink", p, err)
}

func (f *FS) mkdirHost(p string, perm fs.FileMode) error {
	err := f.at(p, func(d int, name string) error { return unix.Mkdirat(d, name, sysMode(perm)) })
	if errors.Is(err, errNoOpenat2) {
		return f.rootMkdir(p, perm)
	}
	return rebase("mkdir", p, err)
}

func (f *FS) symlinkHost(target, p string) error {
	err := f.at(p, func(d int, name string) error { return unix.Symlinkat(target, d, name) })
	if errors.Is(err, errNoOpenat2) {
		return f.rootSymlink(target, p)
	}
	return rebase("symlink", p, err)
}

// removeHost removes a file or empty directory, never following p.
func (f *FS) removeHost(p string) error {
	err := f.at(p, func(d int, name string) error {
		err := unix.Unlinkat(d, name, 0)
		if err == nil {
			return nil
		}
		// Like os.Remove: a directory fails unlink, so try rmdir and
		// report its error unless p is not a directory after all.
		err1 := unix.Unlinkat(d, name, unix.AT_REMOVEDIR)
		if err1 == nil {
			return nil
		}
		if !errors.Is(err1, unix.ENOTDIR) {
			err = err1
		}
		return err
	})
	if errors.Is(err, errNoOpenat2) {
		return f.rootRemove(p)
	}
	return rebase("remove", p, err)
}

func (f *FS) renameHost(from, to string) error {
	err := f.at(from, func(fd int, fname string) error {
		return f.at(to, func(td int, tname string) error { return unix.Renameat(fd, fname, td, tname) })
	})
	if errors.Is(err, errNoOpenat2) {
		return f.rootRename(from, to)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// lutimes sets the times of host path p, not following a final symlink.
func (f *FS) lutimes(p string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	err := f.at(p, func(d int, name string) error { return unix.UtimesNanoAt(d, name, ts, unix.AT_SYMLINK_NOFOLLOW) })
	if errors.Is(err, errNoOpenat2) {
		return f.rootLutimes(p, ts)
	}
	return rebase("chtimes", p, err)
}

// trusted reports whether host path p is a layer or mount directory.
func (f *FS) trusted(p string) bool {
	if p == f.root || (p == f.lower && p != "") {
		return true
	}
	for _, m := range f.mounts {
		if p == m.Source {
			return true
		}
	}
	return false
}

// sysMode is os's conversion of a FileMode for mkdir(2).
func sysMode(m fs.FileMode) uint32 {
	o := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		o |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		o |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		o |= unix.S_ISVTX
	}
	return o
}

// statInfo is an fs.FileInfo built from fstatat as os builds its own, so
// that Sys is a *syscall.Stat_t as callers expect from os.Lstat.
type statInfo struct {
	name string
	sys  syscall.Stat_t
}

func newStatInfo(name string, st *unix.Stat_t) *statInfo {
	ts := func(t unix.Timespec) syscall.Timespec { return syscall.Timespec{Sec: t.Sec, Nsec: t.Nsec} }
	return &statInfo{name: name, sys: syscall.Stat_t{
		Dev: st.Dev, Ino: st.Ino, Nlink: st.Nlink, Mode: st.Mode, Uid: st.Uid, Gid: st.Gid,
		Rdev: st.Rdev, Size: st.Size, Blksize: st.Blksize, Blocks: st.Blocks,
		Atim: ts(st.Atim), Mtim: ts(st.Mtim), Ctim: ts(st.Ctim),
	}}
}

func (i *statInfo) Name() string       { return i.name }
func (i *statInfo) Size() int64        { return i.sys.Size }
func (i *statInfo) ModTime() time.Time { return time.Unix(i.sys.Mtim.Unix()) }
func (i *statInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i *statInfo) Sys() any           { return &i.sys }

func (i *statInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.sys.Mode & 0o777)
	switch i.sys.Mode & syscall.S_IFMT {
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if i.sys.Mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if i.sys.Mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if i.sys.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
