package content

import (
	"io/fs"
	"os"
	"strings"
)

// plainDir reports whether rel is still a directory reached through
// directories only. A directory recorded for its mode and time may since
// have had a parent replaced by a symlink; the host would follow it, out
// of the root, so finish leaves such a path alone.
func (u *unpacker) plainDir(rel string) bool {
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
