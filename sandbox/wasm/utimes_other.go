//go:build !linux

package wasm

import (
	"os"
	"time"
)

// chtimes sets f's times by name: without /proc, the descriptor cannot
// be named (the sandbox's confinement is Linux's; see rootfs).
func chtimes(f *os.File, atime, mtime time.Time) error {
	return os.Chtimes(f.Name(), atime, mtime)
}
