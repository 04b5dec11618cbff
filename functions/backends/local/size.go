package local

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// SizeRw is the bytes of the regular files in the container's writable
// layer (core.Sizer), each hard-linked file once, as dockerd counts a
// layer; the files the runtime writes at each start (runtimeFiles)
// are dockerd's bind mounts and do not count. Both local runtimes keep
// the layer here.
func (d *Driver) SizeRw(ctx context.Context, id string) (int64, error) {
	root := d.rootDir(id)
	seen := map[uint64]bool{}
	var total int64
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a layer not made yet, or a file gone meanwhile
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.Type().IsRegular() {
			return nil
		}
		if rel, _ := filepath.Rel(root, p); runtimeFiles[filepath.ToSlash(rel)] {
			return nil
		}
		fi, err := e.Info()
		if err != nil {
			return nil // removed while walking
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		total += fi.Size()
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	return total, err
}
