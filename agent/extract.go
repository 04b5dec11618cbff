package agent

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// extract unpacks tr into dir. Entry names are confined to dir (".."
// cannot climb out) and so are the symlinks extraction walks through: a
// parent that resolves outside dir fails the extraction.
func extract(tr *tar.Reader, dir string, noOverwriteDirNonDir bool) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	type dirTime struct {
		path  string
		mtime time.Time
	}
	var dirs []dirTime
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
			continue // the "./" entry: dir itself
		}
		parent, err := resolveInside(root, path.Dir(rel))
		if err != nil {
			return err
		}
		target := filepath.Join(parent, path.Base(rel))
		if err := prepareTarget(target, hdr, noOverwriteDirNonDir); err != nil {
			return err
		}
		if err := writeEntry(tr, hdr, root, target); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
		if hdr.Typeflag == tar.TypeDir {
			dirs = append(dirs, dirTime{target, hdr.ModTime})
		}
	}
	// Directory times last: writing into a directory changes its mtime.
	for _, d := range dirs {
		_ = os.Chtimes(d.path, d.mtime, d.mtime)
	}
	return nil
}

// resolveInside returns the host directory for rel (slash-separated,
// relative to root), creating missing directories and following
// symlinks only while they stay inside root.
func resolveInside(root, rel string) (string, error) {
	cur := root
	if rel == "." {
		return cur, nil
	}
	for _, elem := range strings.Split(rel, "/") {
		next := filepath.Join(cur, elem)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(next, 0o755); err != nil {
				return "", err
			}
			cur = next
			continue
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink != 0:
			if next, err = filepath.EvalSymlinks(next); err != nil {
				return "", err
			}
			if !within(root, next) {
				return "", fmt.Errorf("%w: %s leads outside the extraction directory", proto.ErrInvalid, rel)
			}
			if fi, err = os.Stat(next); err != nil {
				return "", err
			}
		}
		if !fi.IsDir() {
			return "", fmt.Errorf("%w: %s: a parent is not a directory", proto.ErrInvalid, rel)
		}
		cur = next
	}
	return cur, nil
}

func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, "../")
}

// prepareTarget clears what stands at target so the entry can be
// written there (never writing through an existing symlink), or refuses
// when noOverwriteDirNonDir forbids it.
func prepareTarget(target string, hdr *tar.Header, noOverwriteDirNonDir bool) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	isDir := hdr.Typeflag == tar.TypeDir
	switch {
	case fi.IsDir() && isDir:
		return nil // merge into it
	case noOverwriteDirNonDir && fi.IsDir():
		return fmt.Errorf("%w: cannot overwrite directory %q with non-directory %q", proto.ErrInvalid, target, hdr.Name)
	case noOverwriteDirNonDir && isDir:
		return fmt.Errorf("%w: cannot overwrite non-directory %q with directory %q", proto.ErrInvalid, target, hdr.Name)
	}
	return os.RemoveAll(target)
}

func writeEntry(tr *tar.Reader, hdr *tar.Header, root, target string) error {
	mode := hdr.FileInfo().Mode().Perm() | hdr.FileInfo().Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(target, mode); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	case tar.TypeReg, tar.TypeRegA:
		f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	case tar.TypeSymlink:
		return os.Symlink(hdr.Linkname, target) // a link is inert until followed
	case tar.TypeLink:
		rel := strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/")
		parent, err := resolveInside(root, path.Dir(rel))
		if err != nil {
			return err
		}
		return os.Link(filepath.Join(parent, path.Base(rel)), target)
	case tar.TypeFifo:
		if err := syscall.Mkfifo(target, uint32(mode)); err != nil {
			return err
		}
	case tar.TypeChar, tar.TypeBlock:
		kind := uint32(syscall.S_IFCHR)
		if hdr.Typeflag == tar.TypeBlock {
			kind = syscall.S_IFBLK
		}
		dev := int((hdr.Devmajor << 8) | (hdr.Devminor & 0xff) | ((hdr.Devminor & 0xfff00) << 12))
		if err := syscall.Mknod(target, kind|uint32(mode), dev); err != nil {
			return err
		}
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return fmt.Errorf("%w: tar entry type %q is not supported", proto.ErrInvalid, hdr.Typeflag)
	}
	// Mkdir and OpenFile apply the umask; set the mode the archive says.
	if err := os.Chmod(target, mode); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	return os.Chtimes(target, hdr.AccessTime, hdr.ModTime)
}
