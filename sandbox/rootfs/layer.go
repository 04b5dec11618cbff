package rootfs

// Layering follows overlayfs with the OCI image-layer convention for
// what overlayfs keeps in special files:
//
//   - A lookup sees upper first, then lower. A directory in both is
//     merged; anything else in upper hides lower.
//   - An empty file ".wh.NAME" in an upper directory hides NAME of the
//     lower one (a whiteout), left when the container deletes it.
//   - A file ".wh..wh..opq" in an upper directory hides the whole lower
//     directory under it (opaque), left when a directory replaces a
//     deleted one.
//   - Changing a lower file copies it up first (content, mode, times;
//     symlinks as symlinks), making its parent directories in upper.
//
// Names starting with ".wh." are never shown to the container, which
// cannot create them either. An upper entry and a whiteout of the same
// name (which only a writer bypassing the FS makes) show the upper entry
// and, for a directory, hide the lower one.
//
// Ownership is not copied up: the sandbox runs as the host user. Hard
// links in lower are copied up one name at a time, so a write through one
// name is not seen through the others.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	whPrefix = ".wh."
	opaque   = ".wh..wh..opq"
	// metaPrefix starts names for the layering's own files, such as the
	// temporaries copy-up writes before renaming them into place.
	metaPrefix = ".wh..wh."
)

var errReserved = errors.New("name reserved for layer whiteouts")

// isMeta reports whether a name belongs to the layering, not the container.
func isMeta(name string) bool { return strings.HasPrefix(name, whPrefix) }

// copyMu serialises copy-ups, which check then create: two processes of
// one container copying up the same file must not clobber each other's
// writes.
var copyMu sync.Mutex

// whitedOut reports whether upper holds a whiteout for container path p.
func (f *FS) whitedOut(p string) bool {
	return f.lexists(filepath.Join(f.root, path.Dir(p), whPrefix+path.Base(p)))
}

// lowerDirShows reports whether the lower directory at p merges into the
// upper directory at p: the upper one is not opaque and no whiteout says
// it replaced the lower one.
func (f *FS) lowerDirShows(p string) bool {
	fi, err := f.lstat(filepath.Join(f.lower, p))
	return err == nil && fi.IsDir() &&
		!f.lexists(filepath.Join(f.root, p, opaque)) && !f.whitedOut(p)
}

// lowerAt reports whether the lower layer has an entry at the root-tree
// path of n, whether or not upper hides it: removing or replacing n must
// then leave a whiteout or an opaque directory.
func (f *FS) lowerAt(dir, n node) bool {
	return dir.low && f.lexists(filepath.Join(f.lower, n.p))
}

// upperPath is where root-tree path p lives in upper.
func (f *FS) upperPath(p string) string { return filepath.Join(f.root, p) }

// toUpper makes directory node dir exist in upper, copying up it and its
// parents from lower as needed, and returns its updated node. Mount and
// upper nodes are returned as they are.
func (f *FS) toUpper(dir node) (node, error) {
	if err := dir.exists("mkdir", dir.p); err != nil {
		return dir, err
	}
	if !dir.isDir() {
		return dir, &fs.PathError{Op: "mkdir", Path: dir.p, Err: syscall.ENOTDIR}
	}
	if dir.mnt >= 0 || dir.in == upper {
		return dir, nil
	}
	n := f.rootNode()
	for _, c := range split(dir.p) {
		parent := n
		n = f.child(parent, c)
		if n.in == lower {
			var err error
			if n, err = f.copyUp(parent, n, true); err != nil {
				return dir, err
			}
		}
		if !n.isDir() || n.in != upper {
			return dir, &fs.PathError{Op: "mkdir", Path: n.p, Err: syscall.ENOTDIR}
		}
	}
	return n, nil
}

// copyUp copies lower node n into upper (a directory only itself, a file
// with its content unless withData is false because it is about to be
// truncated) and returns its upper node. dir is n's parent.
func (f *FS) copyUp(dir, n node, withData bool) (node, error) {
	dir, err := f.toUpper(dir)
	if err != nil {
		return n, err
	}
	up := n
	up.in, up.host, up.up = upper, f.upperPath(n.p), n.isDir()
	copyMu.Lock()
	defer copyMu.Unlock()
	if fi, err := f.lstat(up.host); err == nil {
		up.fi = fi // copied up meanwhile by another process of the container
		return up, nil
	}
	if err := f.copyEntry(n.host, up.host, n.fi, withData); err != nil {
		return n, fmt.Errorf("copy up %s: %w", n.p, err)
	}
	up.fi, err = f.lstat(up.host)
	return up, err
}

// copyEntry copies one file, symlink or (empty) directory from src to a
// new dst, keeping mode and times. Files and links are written under a
// temporary name and renamed, so dst never holds a partial copy.
func (f *FS) copyEntry(src, dst string, fi fs.FileInfo, withData bool) error {
	mode := fi.Mode()
	switch {
	case mode.IsDir():
		if err := f.mkdirHost(dst, 0o700); err != nil {
			return err
		}
		if err := f.chmodHost(dst, mode); err != nil {
			return err
		}
		return f.setTimes(dst, fi)
	case mode&fs.ModeSymlink != 0:
		target, err := f.readlink(src)
		if err != nil {
			return err
		}
		tmp := tempName(dst)
		if err := f.symlinkHost(target, tmp); err != nil {
			return err
		}
		return f.renameInto(tmp, dst, f.setTimes(tmp, fi))
	case mode.IsRegular():
		tmp := tempName(dst)
		out, err := f.openHost(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		err = f.copyData(src, out, withData)
		if err == nil {
			err = out.Chmod(mode) // the fd: the name could be swapped
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = f.setTimes(tmp, fi)
		}
		return f.renameInto(tmp, dst, err)
	}
	return fmt.Errorf("cannot copy up %s: special files are not supported", mode.Type())
}

func (f *FS) copyData(src string, out *os.File, withData bool) error {
	if !withData {
		return nil
	}
	in, err := f.openHost(src, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(out, in)
	return err
}

func tempName(dst string) string {
	return filepath.Join(filepath.Dir(dst), fmt.Sprintf("%stmp-%d-%s", metaPrefix, time.Now().UnixNano(), filepath.Base(dst)))
}

// renameInto moves tmp to dst unless err, removing tmp on failure.
func (f *FS) renameInto(tmp, dst string, err error) error {
	if err == nil {
		err = f.renameHost(tmp, dst)
	}
	if err != nil {
		f.removeHost(tmp)
	}
	return err
}

// setTimes gives host path p (a symlink itself, not its target) the
// access and modification times of fi.
func (f *FS) setTimes(p string, fi fs.FileInfo) error {
	return f.lutimes(p, atime(fi), fi.ModTime())
}

// create makes the absent node n with mk, given its host path: on its
// mount, or in upper after copying up the parent dir and dropping a
// whiteout of the name. A directory made over a whiteout is opaque, so
// the deleted lower directory stays hidden.
func (f *FS) create(dir, n node, isDir bool, mk func(host string) error) error {
	if n.mnt >= 0 {
		return mk(n.host)
	}
	if f.lower != "" && isMeta(path.Base(n.p)) {
		return errReserved
	}
	dir, err := f.toUpper(dir)
	if err != nil {
		return err
	}
	wh := filepath.Join(dir.host, whPrefix+path.Base(n.p))
	hadWhiteout := dir.low && f.lexists(wh)
	if err := mk(n.host); err != nil {
		return err
	}
	if !hadWhiteout {
		return nil
	}
	if isDir {
		if err := f.touch(filepath.Join(n.host, opaque)); err != nil {
			return err
		}
	}
	return f.removeHost(wh)
}

func (f *FS) touch(host string) error {
	file, err := f.openHost(host, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return file.Close()
}

// removed finishes deleting root-tree node n: when the lower layer has an
// entry at its path, a whiteout in upper keeps it hidden.
func (f *FS) removed(dir, n node) error {
	if n.mnt >= 0 || !f.lowerAt(dir, n) {
		return nil
	}
	dir, err := f.toUpper(dir)
	if err != nil {
		return err
	}
	return f.touch(filepath.Join(dir.host, whPrefix+path.Base(n.p)))
}

// readDir lists directory node n, merging upper and lower, sorted by name.
func (f *FS) readDir(n node) ([]fs.DirEntry, error) {
	if n.mnt >= 0 || f.lower == "" {
		return f.readDirHost(n.host)
	}
	var ents []fs.DirEntry
	seen := map[string]bool{}
	if n.up {
		up, err := f.readDirHost(n.host)
		if err != nil {
			return nil, err
		}
		for _, e := range up {
			seen[e.Name()] = true
			if !isMeta(e.Name()) {
				ents = append(ents, e)
			}
		}
	}
	if n.low {
		lo, err := f.readDirHost(filepath.Join(f.lower, n.p))
		if err != nil {
			return nil, err
		}
		for _, e := range lo {
			if !seen[e.Name()] && !seen[whPrefix+e.Name()] && !isMeta(e.Name()) {
				ents = append(ents, e)
			}
		}
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	}
	return ents, nil
}

// materialize copies every lower entry that shows in directory node n
// into upper, recursively, so that n can move without leaving content
// behind. Once moved, a lower entry at its new path must not merge into
// it: Rename makes it opaque there.
func (f *FS) materialize(dir, n node) (node, error) {
	if n.in == lower {
		var err error
		if n, err = f.copyUp(dir, n, true); err != nil {
			return n, err
		}
	}
	if !n.isDir() || !n.low {
		return n, nil
	}
	ents, err := f.readDir(n)
	if err != nil {
		return n, err
	}
	for _, e := range ents {
		c := f.child(n, e.Name())
		if c.in == lower || c.low {
			if _, err := f.materialize(n, c); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
