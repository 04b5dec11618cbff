package local

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sockerless/sockerless/functions/core"
)

// writeEtc writes the files dockerd bind-mounts into every container,
// through the container's filesystem so the image stays untouched.
func (d *Driver) writeEtc(ctx context.Context, w core.Workload) error {
	return d.writeEtcFiles(ctx, w, map[string]string{"hostname": w.Hostname + "\n", "hosts": hostsFile(w)})
}

// hostsFile is the container's /etc/hosts. Its network peers' names are
// loopback: every sandbox shares the host's network, so a peer's
// listener is on this machine's loopback.
func hostsFile(w core.Workload) string {
	s := fmt.Sprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n", w.Hostname)
	if len(w.Peers) > 0 {
		s += "127.0.0.1\t" + strings.Join(w.Peers, " ") + "\n"
	}
	return s
}

func (d *Driver) writeEtcFiles(ctx context.Context, w core.Workload, files map[string]string) error {
	fsys, err := d.containerFS(ctx, w.ID, w.ImageID, nil)
	if err != nil {
		return err
	}
	if err := fsys.MkdirAll("/etc", 0o755); err != nil {
		return err
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
