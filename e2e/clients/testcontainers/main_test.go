// Package testcontainers runs testcontainers-go, a real client library,
// against Sockerless's sandbox and engine runtimes and the reference
// dockerd. testcontainers-go keeps the Docker host it finds for the whole
// process, as a user's `go test` does, so each target gets a process of
// its own: this test binary, run again with DOCKER_HOST set, runs the
// module test (TestModule) and the parent counts its results.
//
// It is a module of its own so testcontainers-go's dependencies stay out
// of the e2e module.
package testcontainers

import (
	"os"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
)

// childTarget names the target a child process runs the module test
// against; the parent sets it, with DOCKER_HOST.
const childTarget = "SOCKERLESS_TC_TARGET"

var (
	targets []*harness.Target
	summary harness.Summary // the per-target lines printed after the run
)

func TestMain(m *testing.M) {
	if os.Getenv(childTarget) != "" {
		os.Exit(m.Run())
	}
	os.Exit(harness.RunSuite(m, harness.TestImage, func(started []*harness.Target) { targets = started }, &summary))
}

// report records a line for the summary printed after the run.
func report(format string, args ...any) { summary.Report(format, args...) }
