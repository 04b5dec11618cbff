package rootfs

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// openHost opens a host path that resolution found free of symlinks,
// asking the kernel to refuse any symlink on the way. Between resolving
// and opening, a container process may have swapped a directory for a
// symlink to a host path (mv d d2; ln -s /etc d); the open then fails
// with ELOOP instead of reaching the host file.
//
// This is stricter than the os.Root the other operations use (host.go),
// which would follow a swapped-in symlink that stays in the layer.
func (f *FS) openHost(host string, flag int, perm fs.FileMode) (*os.File, error) {
	how := unix.OpenHow{
		Flags:   uint64(flag) | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	if flag&os.O_CREATE != 0 {
		how.Mode = uint64(perm.Perm())
	}
	for {
		fd, err := openat2(unix.AT_FDCWD, host, &how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), host), nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOSYS):
			// Kernels before 5.6 have no openat2: fall back to os.Root,
			// which still keeps the open inside the layer or mount.
			return f.openInRoot(host, flag, perm)
		}
		return nil, &fs.PathError{Op: "open", Path: host, Err: err}
	}
}
