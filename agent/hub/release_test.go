package hub_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/agent/proto"
)

// TestReleaseOfHeldMain: a held main waits for the edge's release, the
// agent serves archive requests meanwhile (the bind copies), and a
// release that refuses fails main with its reason.
func TestReleaseOfHeldMain(t *testing.T) {
	tests := []struct {
		name     string
		refused  string
		wantCode int
		wantLogs string
	}{
		{name: "released main starts after the copy", wantCode: 5, wantLogs: "out 5"},
		{name: "refused main fails with the reason", refused: "bind source path does not exist: /nope", wantCode: 126,
			wantLogs: "bind source path does not exist: /nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, testFns)
			h.holdMain = true
			run := h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"exit", "5"}})
			s := h.session(t, "c1")
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			if err := s.ArchivePut(ctx, "/", tarOf(t, entry{name: "src/in.txt", body: "from host"}), false); err != nil {
				t.Fatal(err)
			}
			h.noMoreExits(t) // started by the hub, but held
			if got, err := os.ReadFile(filepath.Join(h.rt.root, "src", "in.txt")); err != nil || string(got) != "from host" {
				t.Fatalf("copied file = %q, %v", got, err)
			}
			if err := s.Release(ctx, tc.refused); err != nil {
				t.Fatal(err)
			}
			if e := h.nextExit(t); e.code != tc.wantCode {
				t.Errorf("exit %d, want %d", e.code, tc.wantCode)
			}
			if res := run.wait(t); res.err != nil || res.code != tc.wantCode {
				t.Errorf("Run = %d, %v", res.code, res.err)
			}
			if !strings.Contains(run.logs.String(), tc.wantLogs) {
				t.Errorf("logs %q lack %q", run.logs.String(), tc.wantLogs)
			}
		})
	}
}
