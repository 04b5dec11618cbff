package wasm

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sockerless/sockerless/sandbox/rootfs"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// TestEtcHostsFirst proves a name in the container's /etc/hosts resolves
// there before the host's resolver, still only to loopback.
func TestEtcHostsFirst(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	hosts := "127.0.0.1\tlocalhost\n# 127.0.0.1 commented\n127.0.0.1\tpeer peer-alias # trailing\n10.1.2.3\tfar\n::1\tsix\n"
	if err := os.WriteFile(filepath.Join(root, "etc", "hosts"), []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := rootfs.New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	lo4, lo6 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")
	for _, c := range []struct {
		name, addr string
		fsys       *rootfs.FS
		want       netip.Addr
		errno      int32
	}{
		{"a peer's name", "peer:80", fsys, lo4, 0},
		{"its alias, in any case", "PEER-Alias:80", fsys, lo4, 0},
		{"an IPv6 entry", "six:80", fsys, lo6, 0},
		{"an entry elsewhere is still refused", "far:80", fsys, netip.Addr{}, errnoNotCapable},
		{"a commented name is not an entry", "commented.invalid:80", fsys, netip.Addr{}, abi.ENOENT},
		{"no filesystem: the host resolves", "peer-alias.invalid:80", nil, netip.Addr{}, abi.ENOENT},
	} {
		t.Run(c.name, func(t *testing.T) {
			ips, port, err := loopbackAddrs(context.Background(), "tcp", c.addr, c.fsys)
			if c.errno != 0 {
				if err == nil || netErrno(err) != c.errno {
					t.Fatalf("%v %v, want errno %d", ips, err, c.errno)
				}
				return
			}
			if err != nil || port != 80 || !slices.Equal(ips, []netip.Addr{c.want}) {
				t.Fatalf("%v %d %v, want %v port 80", ips, port, err, c.want)
			}
		})
	}
}
