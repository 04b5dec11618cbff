// Package archive is `docker cp`'s tar handling over a container's
// filesystem: stat a path, tar it, extract a tar into a directory. It
// works through an FS so the same code serves the agent inside a real
// container (the OS, rooted at "/") and the sandbox's confined,
// copy-on-write view of a container that may not even be running.
package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// FS is a container's filesystem, addressed by absolute container paths.
// Implementations confine paths as the container sees them.
type FS interface {
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Readlink(name string) (string, error)
	Open(name string) (io.ReadCloser, error)
	// Create truncates or creates a regular file for writing.
	Create(name string, perm fs.FileMode) (io.WriteCloser, error)
	Mkdir(name string, perm fs.FileMode) error
	MkdirAll(name string, perm fs.FileMode) error
	Symlink(target, name string) error
	RemoveAll(name string) error
	Chmod(name string, mode fs.FileMode) error
	Chtimes(name string, atime, mtime time.Time) error
}

// Stat describes p without following a final symlink, as Docker's
// archive HEAD does.
func Stat(fsys FS, p string) (proto.PathStat, error) {
	if !path.IsAbs(p) {
		return proto.PathStat{}, fmt.Errorf("%w: path %q is not absolute", proto.ErrInvalid, p)
	}
	fi, err := fsys.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return proto.PathStat{}, fmt.Errorf("path %s: %w", p, proto.ErrNotFound)
	}
	if err != nil {
		return proto.PathStat{}, err
	}
	st := proto.PathStat{Name: path.Base(p), Size: fi.Size(), Mode: uint32(fi.Mode()), Mtime: fi.ModTime()}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if st.LinkTarget, err = fsys.Readlink(p); err != nil {
			return proto.PathStat{}, err
		}
	}
	return st, nil
}

// Write tars p: its top entry is p's base name, or "." when p ends in
// "/." (copy a directory's contents), as `docker cp` expects.
func Write(w io.Writer, fsys FS, p string) error {
	if _, err := Stat(fsys, p); err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	if err := writeTree(tw, fsys, path.Clean(p), topName(p)); err != nil {
		return err
	}
	return tw.Close()
}

func topName(p string) string {
	if path.Base(p) == "." || len(p) > 1 && p[len(p)-2:] == "/." {
		return "."
	}
	if b := path.Base(p); b != "/" {
		return b
	}
	return "."
}

// writeTree adds p (not following symlinks) as name, then its children.
func writeTree(tw *tar.Writer, fsys FS, p, name string) error {
	fi, err := fsys.Lstat(p)
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = fsys.Readlink(p); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return nil // sockets and the like have no tar form; docker cp skips them too
	}
	hdr.Name = name
	hdr.Uname, hdr.Gname = "", ""
	if fi.IsDir() {
		hdr.Name += "/"
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	switch {
	case fi.Mode().IsRegular():
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		// Exactly the size in the header, even if the file grows meanwhile.
		_, err = io.CopyN(tw, f, hdr.Size)
		return err
	case fi.IsDir():
		entries, err := fsys.ReadDir(p)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := writeTree(tw, fsys, path.Join(p, e.Name()), path.Join(name, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
