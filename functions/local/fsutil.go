package local

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sockerless/sockerless/functions/core"
)

// writeEtc writes the files dockerd bind-mounts into every container,
// through the container's filesystem so the image stays untouched; each
// start writes them again, with the peers of that start.
func (d *Driver) writeEtc(ctx context.Context, w core.Workload) error {
	fsys, err := d.containerFS(ctx, w.ID, w.ImageID, nil)
	if err != nil {
		return err
	}
	if err := fsys.MkdirAll("/etc", 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"hostname": w.Hostname + "\n",
		"hosts":    hostsFile(w),
	}
	for name, body := range files {
		p := "/etc/" + name
		if fi, err := fsys.Lstat(p); err == nil && !fi.Mode().IsRegular() {
			_ = fsys.RemoveAll(p) // never write through an image's symlink
		}
		f, err := fsys.Create(p, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, body); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// hostsFile is the container's /etc/hosts: its own names, and its
// network peers' names at loopback, where every sandbox container
// listens (they share the host's network). The sandbox resolves names
// through it before the host's resolver, as libc does.
func hostsFile(w core.Workload) string {
	var b strings.Builder
	fmt.Fprintf(&b, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n", w.Hostname)
	for _, p := range w.Peers {
		fmt.Fprintf(&b, "127.0.0.1\t%s\n", strings.Join(p.Names, " "))
	}
	return b.String()
}
