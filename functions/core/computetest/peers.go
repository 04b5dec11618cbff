package computetest

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
)

// peers starts a workload whose network peer listens on this machine's
// loopback (where a runtime on the host's network runs its peers): its
// process reaches the peer by the name core gave it.
func (s *suite) peers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprint(c, "peer answered\n")
			c.Close()
		}
	}()
	w := s.workload(fmt.Sprintf("nc -w 5 computetest-peer %d </dev/null", ln.Addr().(*net.TCPAddr).Port))
	w.Peers = []core.Peer{{Names: []string{"computetest-peer", "cp-alias"}}}
	s.start(t, w)
	s.wantExit(t, w.ID, 0)
	var out strings.Builder
	s.eventually(t, "the peer's answer in the logs", func() string {
		entries, _, err := s.Compute.Logs(t.Context(), w.ID, "")
		if err != nil {
			t.Fatalf("Logs: %v", err)
		}
		out.Reset()
		for _, e := range entries {
			out.Write(e.Data)
		}
		if !strings.Contains(out.String(), "peer answered") {
			return fmt.Sprintf("output %q", out.String())
		}
		return ""
	})
}
