package wasm

import (
	"bufio"
	"bytes"
	"net/netip"
	"strings"

	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// Hosts is a container's /etc/hosts, which names resolve through before
// DNS, as the C library's resolver reads it in a container: local mode
// writes there the names of the containers sharing a network with it.
type Hosts []byte

// ContainerHosts reads the /etc/hosts of fsys; none is an empty Hosts.
func ContainerHosts(fsys *rootfs.FS) Hosts {
	if fsys == nil {
		return nil
	}
	b, err := fsys.ReadFile("/etc/hosts")
	if err != nil {
		return nil
	}
	return b
}

// lookup returns the addresses h gives name, in file order; names match
// without regard to case.
func (h Hosts) lookup(name string) []netip.Addr {
	var out []netip.Addr
	sc := bufio.NewScanner(bytes.NewReader(h))
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
