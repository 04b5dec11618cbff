// Package cloud is what the backend e2e suites need of a cloud, so the
// same suites (the scenario suite, TestBackends, the crash test, the
// benchmark) run on every cloud: a Cloud names its backends, says which
// scenarios cannot pass on them, and deploys them to its simulator with
// its own Terraform module; Start deploys each cloud once per test
// binary for all its suites.
//
// A new cloud adds files only, besides its line in clouds.All: a package
// implementing Cloud (as awsdeploy.Cloud does); its adjusted steps in a
// table file of the e2e package (as aws_table_test.go); its own error
// paths and compute drivers in test files of e2e/backends that add to
// cloudTests (as aws_badinput_test.go and aws_compute_test.go).
package cloud

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// Cloud is one cloud's backends on its simulator.
type Cloud interface {
	// Name prefixes the suites' summary lines ("aws-scenarios ecs: …").
	Name() string
	Backends() []string
	// Invoke is what one call of a control-plane function is on this
	// cloud, as the benchmark counts them ("Lambda Invoke").
	Invoke() string
	// NotApplicable is every scenario of the local-mode suite that
	// cannot pass on some of the backends, with what the user gets.
	NotApplicable() []NotApplicable
	// Deploy starts a simulator of its own and deploys every backend
	// to it; both go when t ends. Suites call Start, which deploys once
	// per test binary, rather than Deploy.
	Deploy(t testing.TB) Deployment
}

// Deployment is the backends deployed on a simulator.
type Deployment interface {
	// StartEdge runs the edge binary bin in front of backend's
	// control-plane function, with its socket in dir and agents
	// dialling agentAddr ("" for any port); it stops when t ends.
	StartEdge(t testing.TB, bin, backend, dir, agentAddr string) *harness.Engine
	// Handler reaches backend's control-plane function as the edge does.
	Handler(backend string) call.Handler
	// PushTestImage pushes the e2e busybox image to the simulator's
	// registry and returns its reference.
	PushTestImage(t testing.TB) string
	// PushImage pushes img to a new repository repo of the simulator's
	// registry, deleted when t ends, and returns its reference.
	PushImage(t testing.TB, repo string, img v1.Image) string
	// RegistryHost is the simulator's registry host.
	RegistryHost() string
	// LogTail is the last lines of the simulator's logs, workloads' and
	// functions' alike, less the platform's own lines: where a failure
	// in the cloud says why.
	LogTail(t testing.TB, lines int) string
	// KillBackend kills the processes of backend's control-plane
	// function, as a crashed instance, and returns how many.
	KillBackend(t testing.TB, backend string) int
	// LeftRunning lists backend's workloads still in the cloud.
	LeftRunning(t testing.TB, backend string) []string
}

// NotApplicable is a scenario that cannot pass on some backends: why,
// and what the user sees at the failing step: Docker's error in its
// stderr or, for a wrong answer given without an error, a telling part
// of its stdout. A Why starting with "bug:" is a defect in sockerless,
// listed so the suite stays green until it is fixed, not a limit of the
// backend.
type NotApplicable struct {
	Scenario string
	Backends []string
	Why      string
	Error    string // in the failing step's stderr (placeholders expanded)
	Stdout   string // or, when Error is empty, in its stdout
}

// BuildEdge builds the edge binary into dir.
func BuildEdge(t testing.TB, dir string) string {
	t.Helper()
	return awssimtest.Build(t, dir, "sockerless-edge", "./edge/cmd/sockerless-edge", nil)
}
