package wasm

import (
	"bufio"
	"bytes"
	"net/netip"
	"strings"

	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// hostsFile is where a container's processes look a name up before
// asking DNS, as libc's "files" source does. The runtime writes the
// names of the container's network peers there.
const hostsFile = "/etc/hosts"

// lookupHosts returns the addresses the container's /etc/hosts gives
// name, in file order; none when fsys is nil or the file is absent.
func lookupHosts(fsys *rootfs.FS, name string) []netip.Addr {
	if fsys == nil || name == "" {
		return nil
	}
	b, err := fsys.ReadFile(hostsFile)
	if err != nil {
		return nil
	}
	var out []netip.Addr
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, name) {
				out = append(out, ip)
				break
			}
		}
	}
	return out
}
