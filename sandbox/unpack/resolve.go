package unpack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxLinks bounds symlink expansion like Linux's MAXSYMLINKS.
const maxLinks = 40

// CleanName turns a tar entry name into a root-relative path ("" for
// the root itself), refusing a name that climbs out with "..".
func CleanName(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("entry %q escapes the root filesystem", name)
		}
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), nil
}

// Resolve returns the host path of container path p in root, following
// symlinks as a chroot would, so a link in the image (bin -> usr/bin, or
// an absolute one) never leads out of root. The path must exist.
func Resolve(root, p string) (string, error) {
	rel, err := resolveIn(root, false, p)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}

// resolveIn returns the root-relative path that container path p names
// in root, following symlinks as a chroot would: an absolute target
// starts again at root, ".." stops there. With create it makes missing
// directories and every component must be a directory, so no layer
// entry can be written outside root; without, a missing component is an
// error and the last one may be a file.
func resolveIn(root string, create bool, p string) (string, error) {
	todo := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	cur, links := "/", 0
	for len(todo) > 0 {
		part := todo[0]
		todo = todo[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, part)
		host := filepath.Join(root, filepath.FromSlash(next))
		fi, err := os.Lstat(host)
		switch {
		case errors.Is(err, fs.ErrNotExist) && create:
			if err := os.Mkdir(host, 0o755); err != nil {
				return "", err
			}
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", fmt.Errorf("too many levels of symbolic links at %q", next)
			}
			target, err := os.Readlink(host)
			if err != nil {
				return "", err
			}
			if path.IsAbs(target) {
				cur = "/"
			}
			todo = append(strings.Split(target, "/"), todo...)
			continue
		case !fi.IsDir() && (create || len(todo) > 0):
			return "", fmt.Errorf("%q is not a directory", next)
		}
		cur = next
	}
	return strings.TrimPrefix(cur, "/"), nil
}
