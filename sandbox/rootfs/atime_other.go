//go:build !linux

package rootfs

import (
	"io/fs"
	"time"
)

// atime is fi's access time where the platform's stat layout is not
// handled here: its modification time.
func atime(fi fs.FileInfo) time.Time { return fi.ModTime() }
