package wasm

import (
	"net/netip"
	"strings"

	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// etcHosts returns the addresses name has in the container's /etc/hosts,
// which a process consults before DNS as the C library does: local mode
// names a container's network peers there. None when fsys is nil or the
// file does not name it.
func etcHosts(fsys *rootfs.FS, name string) []netip.Addr {
	if fsys == nil {
		return nil
	}
	b, err := fsys.ReadFile("/etc/hosts")
	if err != nil {
		return nil
	}
	var found []netip.Addr
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, name) {
				found = append(found, addr.WithZone(""))
				break
			}
		}
	}
	return found
}
