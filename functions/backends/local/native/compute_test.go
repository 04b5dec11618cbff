//go:build linux && cgo

package native_test

import (
	"bytes"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
)

// TestCompute runs the compute conformance suite against the native
// runtime with a busybox image.
func TestCompute(t *testing.T) {
	image := busyboxImage(t)
	computetest.Run(t, func(t *testing.T, agentURL string) computetest.Target {
		d := newDriver(t, agentURL)
		img, err := d.Import(t.Context(), bytes.NewReader(image), []string{"ENV PATH=/bin"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return computetest.Target{Compute: d, Image: core.Workload{ImageID: img.ID}, ExitInStatus: true, HostNetwork: true}
	})
}
