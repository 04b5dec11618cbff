package rootfs

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sys/unix"
)

// Resolution finds a host path free of symlinks, but a process of the
// container can swap one of its directories for a symlink to a host path
// (mv d d2; ln -s /etc d) before the FS acts on the path. No host
// operation of the FS therefore goes by path through the kernel's
// unrestricted resolution:
//
//   - opens use openat2 refusing any symlink (openHost);
//   - on Linux, stat, readlink, mkdir, symlink, remove, rename and the
//     times of copy-up act relative to the parent directory opened the
//     same way, never following the last name (host_linux.go);
//   - everything else, and all of it where openat2 is missing (non-Linux
//     systems, Linux before 5.6), goes through an os.Root opened on the
//     trusted host directory the path lies in (the upper or lower layer,
//     or a mount source). os.Root walks from that directory's fd with
//     openat and O_NOFOLLOW, so a symlink swapped in can at most lead
//     elsewhere in that same directory, never out of it.
//
// Why not openat2 RESOLVE_IN_ROOT: it would interpret a container symlink
// against one layer, not the merged view, which the FS resolves itself.

// confine splits host path p into the trusted directory it lies in and
// its path relative to that. A layer or mount directory itself is named
// from its parent, so that Lstat reports its real name and a file mount
// works.
func (f *FS) confine(p string) (base, rel string) {
	bases := make([]string, 0, 2+len(f.mounts))
	bases = append(bases, f.root)
	if f.lower != "" {
		bases = append(bases, f.lower)
	}
	for _, m := range f.mounts {
		bases = append(bases, m.Source)
	}
	for _, b := range bases {
		if len(b) > len(base) && within(p, b) {
			base = b
		}
	}
	if base == "" || base == p {
		// Not under a known directory (never for paths the FS builds): the
		// parent is all that can be trusted.
		return filepath.Dir(p), filepath.Base(p)
	}
	rel, _ = filepath.Rel(base, p)
	return base, rel
}

// inRoot runs fn with the os.Root that confines host path p and p's path
// in it.
func (f *FS) inRoot(p string, fn func(r *os.Root, rel string) error) error {
	base, rel := f.confine(p)
	r, err := os.OpenRoot(base)
	if err != nil {
		return err
	}
	defer r.Close()
	return fn(r, rel)
}

// rebase names host path p in errors instead of its path in the root.
func rebase(op, p string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: p, Err: unwrap(err)}
}

func (f *FS) lexists(p string) bool {
	_, err := f.lstat(p)
	return err == nil
}

// removeAllHost removes a tree without following symlinks in it.
func (f *FS) removeAllHost(p string) error {
	return rebase("remove", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.RemoveAll(rel) }))
}

// chmodHost follows a final symlink, but only within the trusted
// directory: the FS resolved the container's links already, so one here
// was swapped in.
func (f *FS) chmodHost(p string, mode fs.FileMode) error {
	return rebase("chmod", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.Chmod(rel, mode) }))
}

// chownHost changes the owner of host path p itself: the FS resolved
// the container's links already.
func (f *FS) chownHost(p string, uid, gid int) error {
	return rebase("chown", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.Lchown(rel, uid, gid) }))
}

// chtimesHost is chmodHost for times.
func (f *FS) chtimesHost(p string, atime, mtime time.Time) error {
	return rebase("chtimes", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.Chtimes(rel, atime, mtime) }))
}

// openInRoot opens host path p confined to its trusted directory.
func (f *FS) openInRoot(p string, flag int, perm fs.FileMode) (file *os.File, err error) {
	err = f.inRoot(p, func(r *os.Root, rel string) error {
		file, err = r.OpenFile(rel, flag, perm)
		return err
	})
	return file, rebase("open", p, err)
}

// readDirHost lists host directory p sorted by name. The entries look
// their FileInfo up confined too: os's own entries lstat by path, which a
// swap would lead to the host.
func (f *FS) readDirHost(p string) ([]fs.DirEntry, error) {
	dir, err := f.openHost(p, os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	ents, err := dir.ReadDir(-1)
	dir.Close()
	if err != nil {
		return nil, rebase("readdirent", p, err)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for i, e := range ents {
		ents[i] = confinedEntry{DirEntry: e, f: f, host: filepath.Join(p, e.Name())}
	}
	return ents, nil
}

// confinedEntry is a DirEntry whose Info is looked up through the FS.
type confinedEntry struct {
	fs.DirEntry
	f    *FS
	host string
}

func (e confinedEntry) Info() (fs.FileInfo, error) { return e.f.lstat(e.host) }

// The os.Root versions of the operations host_linux.go does with openat2.

func (f *FS) rootLstat(p string) (fi fs.FileInfo, err error) {
	err = f.inRoot(p, func(r *os.Root, rel string) error {
		fi, err = r.Lstat(rel)
		return err
	})
	return fi, rebase("lstat", p, err)
}

func (f *FS) rootReadlink(p string) (target string, err error) {
	err = f.inRoot(p, func(r *os.Root, rel string) error {
		target, err = r.Readlink(rel)
		return err
	})
	return target, rebase("readlink", p, err)
}

func (f *FS) rootMkdir(p string, perm fs.FileMode) error {
	return rebase("mkdir", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.Mkdir(rel, perm) }))
}

func (f *FS) rootSymlink(target, p string) error {
	return rebase("symlink", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.Symlink(target, rel) }))
}

func (f *FS) rootRemove(p string) error {
	return rebase("remove", p, f.inRoot(p, func(r *os.Root, rel string) error { return r.Remove(rel) }))
}

// rootRename renames within one trusted directory; the FS only renames
// within one layer or mount.
func (f *FS) rootRename(from, to string) error {
	fb, frel := f.confine(from)
	tb, trel := f.confine(to)
	if fb != tb {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: unix.EXDEV}
	}
	err := f.inRoot(from, func(r *os.Root, _ string) error { return r.Rename(frel, trel) })
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: unwrap(err)}
	}
	return nil
}

// rootLutimes acts on p's name in its parent directory, opened confined,
// as os.Root has no call that leaves a final symlink alone.
func (f *FS) rootLutimes(p string, ts []unix.Timespec) error {
	err := f.inRoot(p, func(r *os.Root, rel string) error {
		dir, err := r.Open(filepath.Dir(rel))
		if err != nil {
			return err
		}
		defer dir.Close()
		return unix.UtimesNanoAt(int(dir.Fd()), filepath.Base(rel), ts, unix.AT_SYMLINK_NOFOLLOW)
	})
	return rebase("chtimes", p, err)
}
