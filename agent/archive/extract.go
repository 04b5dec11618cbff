package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// Extract unpacks a tar stream (plain, gzip, bzip2 or xz) into the
// directory dir. Names are
// cleaned so ".." cannot climb above dir; the FS confines everything
// else (symlinks included) to the container.
func Extract(r io.Reader, fsys FS, dir string, noOverwriteDirNonDir bool) error {
	fi, err := fsys.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("path %s: %w", dir, proto.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: extraction point %s is not a directory", proto.ErrInvalid, dir)
	}
	type dirTime struct {
		name  string
		mtime time.Time
	}
	var dirs []dirTime
	r, err = Decompressed(r)
	if err != nil {
		return fmt.Errorf("%w: reading archive: %v", proto.ErrInvalid, err)
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: reading archive: %v", proto.ErrInvalid, err)
		}
		rel := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		if rel == "" {
			continue // "./": the directory itself
		}
		target := path.Join(dir, rel)
		if err := checkParents(fsys, dir, target); err != nil {
			return err
		}
		if err := fsys.MkdirAll(path.Dir(target), 0o755); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
		if err := clear(fsys, target, hdr, noOverwriteDirNonDir); err != nil {
			return err
		}
		if err := writeEntry(fsys, tr, hdr, dir, target); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
		if hdr.Typeflag == tar.TypeDir {
			dirs = append(dirs, dirTime{target, hdr.ModTime})
		}
	}
	// Directory times last: writing into a directory changes its mtime.
	for _, d := range dirs {
		_ = fsys.Chtimes(d.name, d.mtime, d.mtime)
	}
	return nil
}

// clear removes what stands at target unless both are directories, or
// refuses when noOverwriteDirNonDir forbids replacing one kind by the
// other. It never writes through an existing symlink.
func clear(fsys FS, target string, hdr *tar.Header, noOverwriteDirNonDir bool) error {
	fi, err := fsys.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	isDir := hdr.Typeflag == tar.TypeDir
	if fi.IsDir() && isDir {
		return nil
	}
	if noOverwriteDirNonDir && fi.IsDir() != isDir {
		what := "a directory with a non-directory"
		if isDir {
			what = "a non-directory with a directory"
		}
		return fmt.Errorf("%w: cannot overwrite %s at %s", proto.ErrInvalid, what, target)
	}
	return fsys.RemoveAll(target)
}

func writeEntry(fsys FS, tr *tar.Reader, hdr *tar.Header, dir, target string) error {
	mode := fs.FileMode(hdr.Mode).Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := fsys.Mkdir(target, mode); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		return fsys.Chmod(target, mode)
	case tar.TypeReg, tar.TypeRegA:
		return writeFile(fsys, target, mode, tr, hdr.ModTime)
	case tar.TypeSymlink:
		// Like moby's archive: a relative link may not point above the
		// extraction directory, or later entries could be written
		// through it. Absolute targets are the container's own paths.
		if !path.IsAbs(hdr.Linkname) && !within(dir, path.Join(path.Dir(target), hdr.Linkname)) {
			return fmt.Errorf("%w: symlink %s -> %s points outside %s", proto.ErrInvalid, hdr.Name, hdr.Linkname, dir)
		}
		return fsys.Symlink(hdr.Linkname, target)
	case tar.TypeLink:
		// A hard link names an earlier entry of the archive; copy it, as
		// the FS may span layers a link cannot cross.
		src := path.Join(dir, strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/"))
		f, err := fsys.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		return writeFile(fsys, target, mode, f, hdr.ModTime)
	default:
		return nil // devices and fifos have no meaning here; docker cp skips them for non-root too
	}
}

func writeFile(fsys FS, target string, mode fs.FileMode, r io.Reader, mtime time.Time) error {
	w, err := fsys.Create(target, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := fsys.Chmod(target, mode); err != nil {
		return err
	}
	return fsys.Chtimes(target, mtime, mtime)
}

func within(dir, p string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}
