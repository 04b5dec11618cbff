package localmode

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/backends/local/engine"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
)

// TestEngineCompute runs the compute conformance suite against the
// engine runtime on a real dockerd, with a busybox image imported into
// the engine.
func TestEngineCompute(t *testing.T) {
	host, rootfs := engineOrSkip(t)
	computetest.Run(t, func(t *testing.T, agentURL string) computetest.Target {
		d, err := engine.New(t.Context(), engine.Config{Host: host, Dir: t.TempDir(), AgentURL: agentURL, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := d.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		img, err := d.Import(t.Context(), bytes.NewReader(rootfs), []string{"ENV PATH=/bin"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return computetest.Target{Compute: d, Image: core.Workload{ImageID: img.ID}, ExitInStatus: true, HostNetwork: true, Settle: time.Minute}
	})
}
