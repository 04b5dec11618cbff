//go:build linux && cgo

package native

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/sockerless/sockerless/agent/sandboxrt"
	"github.com/sockerless/sockerless/functions/core"
)

// writeResolvConf writes /etc/resolv.conf as dockerd does: the host's,
// verbatim on the host's network; elsewhere without the nameservers on
// loopback, which the container cannot reach, and Google's public ones
// when none remain.
func (d *Driver) writeResolvConf(ctx context.Context, w core.Workload) error {
	host, err := os.ReadFile("/etc/resolv.conf")
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	body := host
	if net, err := networkOf(w.NetworkMode); err != nil || net != netHost {
		body = resolvConfOffHost(host)
	}
	lower, err := d.ImageRoot(ctx, w.ImageID)
	if err != nil {
		return err
	}
	fsys, err := sandboxrt.NewFS(d.UpperDir(w.ID), lower, nil)
	if err != nil {
		return err
	}
	const p = "/etc/resolv.conf"
	if fi, err := fsys.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		_ = fsys.RemoveAll(p) // never write through an image's symlink
	}
	f, err := fsys.Create(p, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, bytes.NewReader(body)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// resolvConfOffHost is host's resolv.conf without loopback nameservers.
func resolvConfOffHost(host []byte) []byte {
	var out bytes.Buffer
	servers := 0
	sc := bufio.NewScanner(bytes.NewReader(host))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil && a.IsLoopback() {
				continue
			}
			servers++
		}
		out.WriteString(line + "\n")
	}
	if servers == 0 {
		out.WriteString("nameserver 8.8.8.8\nnameserver 8.8.4.4\n")
	}
	return out.Bytes()
}
