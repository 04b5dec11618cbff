package local_test

import (
	"log/slog"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// TestCompute runs the compute conformance suite against the sandbox
// runtime, with an image pulled from a registry as docker pull does.
func TestCompute(t *testing.T) {
	reg := registrytest.Start(t)
	ref := reg.Push(t, "computetest:1", registrytest.Image(t, registrytest.BaseFiles(), v1.Config{}))
	computetest.Run(t, func(t *testing.T, agentURL string) computetest.Target {
		d, err := local.New(t.Context(), local.Config{Dir: t.TempDir(), AgentURL: agentURL, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := d.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		img, err := d.Pull(t.Context(), ref, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return computetest.Target{Compute: d, Image: core.Workload{ImageID: img.ID}, ExitInStatus: true, HostNetwork: true}
	})
}
