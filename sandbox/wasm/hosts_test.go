package wasm_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/sandbox"
)

// TestHostsFileNames: a process resolves names through its container's
// /etc/hosts before the host's resolver, as libc does, so a network
// peer the runtime listed there is reached by name; a name the file maps
// off loopback is refused like an address.
func TestHostsFileNames(t *testing.T) {
	addr := serve(t, func(c net.Conn) { fmt.Fprint(c, "hello from web\n") })
	_, port, _ := net.SplitHostPort(addr)
	root := t.TempDir()
	files(t, root, map[string]string{
		"etc/hosts": "127.0.0.1\tlocalhost\n# peers\n127.0.0.1\tapp-web-1 Web 0123456789ab\n10.1.2.3\tfar\n",
	})
	for _, c := range []struct {
		name, host string
		code       int
		out, err   string
	}{
		{"a peer's name", "web", 0, "hello from web", ""},
		{"a peer's other name", "app-web-1", 0, "hello from web", ""},
		{"a name mapped off loopback", "far", 1, "", "refusing to connect to far"},
		{"an unknown name", "no-such-peer.invalid", 1, "", "can't connect"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, sandbox.Spec{Root: root, Args: []string{"nc", c.host, port}}, "")
			if r.code != c.code || strings.TrimSpace(r.stdout) != c.out || !strings.Contains(r.stderr, c.err) {
				t.Errorf("nc %s: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.host, r.code, r.stdout, r.stderr, c.code, c.out, c.err)
			}
		})
	}
}
