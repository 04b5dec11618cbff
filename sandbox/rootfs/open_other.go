//go:build !linux

package rootfs

import (
	"io/fs"
	"os"
)

// openHost opens a host path that resolution found free of symlinks.
// Only Linux can refuse a symlink swapped in since (openat2).
func openHost(host string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(host, flag, perm)
}
