package sandbox

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestPeersResolveToLoopback proves that a name in Spec.Peers reaches a
// service on the host's loopback (a service container on the same
// network), through the utilities' own network calls, and that a name the
// container was not given stays unknown.
func TestPeersResolveToLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.0 200 OK\r\n\r\npong\n"))
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	cases := []struct {
		name   string
		peers  []string
		script string
		want   string // in stdout; "" for a failure
	}{
		{"nc reaches a peer by name", []string{"db", "web"}, fmt.Sprintf("nc web %d </dev/null", port), "pong"},
		{"wget reaches a peer by name", []string{"web"}, fmt.Sprintf("wget -q -O - http://web:%d/ || echo code $?", port), "pong"},
		{"a name not given does not resolve", []string{"db"}, fmt.Sprintf("nc sockerless-no-such-peer.invalid %d </dev/null", port), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, Spec{Args: sh(c.script), Peers: c.peers}, "")
			if c.want == "" {
				if r.code == 0 || strings.Contains(r.stdout, "pong") {
					t.Fatalf("want a failure, got code %d, stdout %q", r.code, r.stdout)
				}
				return
			}
			if !strings.Contains(r.stdout, c.want) {
				t.Fatalf("stdout %q, want %q (code %d, stderr %q)", r.stdout, c.want, r.code, r.stderr)
			}
		})
	}
}
