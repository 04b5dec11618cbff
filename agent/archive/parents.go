package archive

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/sockerless/sockerless/agent/proto"
)

// maxLinkHops bounds symlink chains, as the kernel's ELOOP does.
const maxLinkHops = 40

// checkParents refuses an entry whose parent directories, as they stand
// in the filesystem, lead out of dir through a symlink: a tar that
// first plants "l -> /elsewhere" (or finds one already there) must not
// write "l/file" outside the extraction directory. Links that stay
// inside dir are followed, so ordinary trees extract as before.
func checkParents(fsys FS, dir, target string) error {
	dir = path.Clean(dir)
	parts := splitBelow(dir, path.Dir(target))
	cur := dir
	hops := 0
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			if !within(dir, cur) {
				return escapeErr(target, cur, dir)
			}
			continue
		}
		next := path.Join(cur, part)
		fi, err := fsys.Lstat(next)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			// Missing parents are made as directories; anything else
			// is what MkdirAll will meet.
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return fmt.Errorf("%w: extracting %s: too many levels of symbolic links", proto.ErrInvalid, target)
		}
		link, err := fsys.Readlink(next)
		if err != nil {
			return err
		}
		dest := link
		if !path.IsAbs(link) {
			dest = path.Join(cur, link)
		}
		dest = path.Clean(dest)
		if !within(dir, dest) {
			return fmt.Errorf("%w: extracting %s: parent %s is a symlink to %s, outside %s", proto.ErrInvalid, target, next, link, dir)
		}
		// Resolve the link's own path from dir, then what remained.
		parts = append(splitBelow(dir, dest), parts...)
		cur = dir
	}
	return nil
}

// splitBelow returns the components of p below dir (p is within dir).
func splitBelow(dir, p string) []string {
	rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
	if rel == "" {
		return nil
	}
	return strings.Split(rel, "/")
}

func escapeErr(target, at, dir string) error {
	return fmt.Errorf("%w: extracting %s: %s is outside %s", proto.ErrInvalid, target, at, dir)
}
