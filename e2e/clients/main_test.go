package clients

import (
	"os"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
)

// TestImage is the busybox test image, imported on every target; the
// workflow's job containers run it.
const TestImage = harness.TestImage

// target is one engine the clients run against (harness.Target), under
// the names the suite's tests use.
type target struct {
	name string // sandbox, engine (Sockerless's runtimes) or dockerd (the reference)
	e    *harness.Engine
	h    *harness.Target
}

var (
	targets []*target
	summary harness.Summary // the per-target lines printed after the run
)

func TestMain(m *testing.M) {
	os.Exit(harness.RunSuite(m, TestImage, func(started []*harness.Target) {
		for _, h := range started {
			targets = append(targets, &target{name: h.Name, e: h.E, h: h})
		}
	}, &summary))
}

// report records a line for the summary printed after the run.
func report(format string, args ...any) { summary.Report(format, args...) }

// use returns the engine of tg for t, skipping or failing t when it has
// none, and adds the engine's log tail to a failed test.
func (tg *target) use(t testing.TB) *harness.Engine {
	t.Helper()
	return tg.h.Use(t)
}
