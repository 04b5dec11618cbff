package local

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sockerless/sockerless/functions/core"
)

// copyTree copies an image template into a container's own root. A full
// copy keeps containers independent; a copy-on-write view comes later.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := e.Info()
		if err != nil {
			return err
		}
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case e.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case e.Type().IsRegular():
			return copyFile(p, target, info.Mode().Perm())
		default:
			return nil // devices and fifos have no meaning in the sandbox
		}
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeEtc writes the files dockerd bind-mounts into every container.
func writeEtc(root string, w core.Workload) error {
	etc := filepath.Join(root, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"hostname": w.Hostname + "\n",
		"hosts":    fmt.Sprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n", w.Hostname),
	}
	for name, body := range files {
		p := filepath.Join(etc, name)
		if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
			_ = os.Remove(p) // never write through an image's symlink
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
