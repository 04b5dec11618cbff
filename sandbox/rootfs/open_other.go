//go:build !linux

package rootfs

import (
	"io/fs"
	"os"
)

// openHost opens a host path that resolution found free of symlinks.
// Only Linux can refuse any symlink swapped in since (openat2); os.Root
// still keeps the open inside the layer or mount (host.go).
func (f *FS) openHost(host string, flag int, perm fs.FileMode) (*os.File, error) {
	return f.openInRoot(host, flag, perm)
}
