// Package awssimtest runs the workspace's AWS simulator for tests of the
// AWS backends. The simulator shares nothing with the functions module
// but the wire format, so it is built and run as a process, never
// imported.
package awssimtest

import (
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sockerless/sockerless/functions/testing/proctest"
)

// WorkspaceRoot is the folder holding go.work; tests skip outside one.
func WorkspaceRoot(t testing.TB) string { t.Helper(); return proctest.WorkspaceRoot(t) }

// Build builds the workspace package pkg ("./simulators/aws/cmd/awssim")
// into dir/name with extra environment and flags, and returns the path.
func Build(t testing.TB, dir, name, pkg string, env []string, flags ...string) string {
	t.Helper()
	return proctest.Build(t, dir, name, pkg, env, flags...)
}

// FreeAddr is a loopback address nothing listens on right now.
func FreeAddr(t testing.TB) string { t.Helper(); return proctest.FreeAddr(t) }

// Start runs cmd until the test ends and returns once addr accepts
// connections (proctest.Start).
func Start(t testing.TB, cmd *exec.Cmd, addr string) { t.Helper(); proctest.Start(t, cmd, addr) }

// Simulator builds awssim into dir, runs it with a fresh data directory
// and returns its endpoint URL.
func Simulator(t testing.TB, dir string) string {
	t.Helper()
	return SimulatorWithData(t, dir, t.TempDir())
}

// SimulatorWithData is Simulator keeping its state and data in data, for
// tests that look at what it stores (an EFS file system's files).
func SimulatorWithData(t testing.TB, dir, data string) string {
	t.Helper()
	return SimulatorOn(t, dir, data, "sandbox")
}

// SimulatorOn is SimulatorWithData with ECS tasks on runtime (awssim
// --runtime: sandbox, native or auto); the others name the sandbox, so
// no test changes runtime with the machine it runs on.
func SimulatorOn(t testing.TB, dir, data, runtime string) string {
	t.Helper()
	bin := Build(t, dir, "awssim", "./simulators/aws/cmd/awssim", nil)
	addr := FreeAddr(t)
	Start(t, exec.Command(bin, "--addr", addr, "--data", data, "--runtime", runtime), addr)
	return "http://" + addr
}

// Config is an SDK config for endpoint with the simulator's test
// credentials.
func Config(t testing.TB, endpoint string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(endpoint),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
