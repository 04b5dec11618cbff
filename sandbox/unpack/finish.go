package unpack

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Finish applies directory modes and times, deepest first, so setting a
// parent's time is not undone by changes to its children. Call it once,
// after the last layer.
func (u *Unpacker) Finish() error {
	dirs := make([]string, 0, len(u.dirs))
	for d := range u.dirs {
		dirs = append(dirs, d)
	}
	slices.SortFunc(dirs, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, d := range dirs {
		p := u.abs(d)
		if !u.plainDir(d) {
			continue // replaced, whited out, or now reached through a symlink
		}
		m := u.dirs[d]
		if err := os.Chmod(p, m.mode); err != nil {
			return err
		}
		if err := os.Chtimes(p, m.mtime, m.mtime); err != nil {
			return err
		}
	}
	return nil
}

// plainDir reports whether rel is still a directory reached through
// directories only. A directory recorded for its mode and time may since
// have had a parent replaced by a symlink; the host would follow it, out
// of the root, so Finish leaves such a path alone.
func (u *Unpacker) plainDir(rel string) bool {
	p := ""
	for _, part := range strings.Split(rel, "/") {
		if part == "" {
			continue
		}
		if p != "" {
			p += "/"
		}
		p += part
		fi, err := os.Lstat(u.abs(p))
		if err != nil || fi.Mode()&fs.ModeSymlink != 0 || !fi.IsDir() {
			return false
		}
	}
	return true
}

// MakeWritable lets an unprivileged process delete a tree that holds
// read-only directories, as an Exact unpack may leave.
func MakeWritable(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chmod(p, fi.Mode().Perm()|0o700)
	})
}
