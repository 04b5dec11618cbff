//go:build !linux

package rootfs

import (
	"io/fs"
	"time"

	"golang.org/x/sys/unix"
)

// Without openat2 every host operation goes through os.Root (host.go).

func (f *FS) lstat(p string) (fs.FileInfo, error)        { return f.rootLstat(p) }
func (f *FS) readlink(p string) (string, error)          { return f.rootReadlink(p) }
func (f *FS) mkdirHost(p string, perm fs.FileMode) error { return f.rootMkdir(p, perm) }
func (f *FS) symlinkHost(target, p string) error         { return f.rootSymlink(target, p) }
func (f *FS) removeHost(p string) error                  { return f.rootRemove(p) }
func (f *FS) renameHost(from, to string) error           { return f.rootRename(from, to) }
func (f *FS) lutimes(p string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return f.rootLutimes(p, ts)
}
