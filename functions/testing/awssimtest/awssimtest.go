// Package awssimtest runs the workspace's AWS simulator for tests of the
// AWS backends. The simulator shares nothing with the functions module
// but the wire format, so it is built and run as a process, never
// imported.
package awssimtest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// WorkspaceRoot is the folder holding go.work; tests skip outside one.
func WorkspaceRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOWORK").Output()
	work := strings.TrimSpace(string(out))
	if err != nil || work == "" || work == "off" {
		t.Skipf("not in a go.work workspace (GOWORK=%q, %v): the simulator cannot be built", work, err)
	}
	return filepath.Dir(work)
}

// Build builds the workspace package pkg ("./simulators/aws/cmd/awssim")
// into dir/name with extra environment and flags, and returns the path.
func Build(t testing.TB, dir, name, pkg string, env []string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := append([]string{"build", "-o", bin}, flags...)
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = WorkspaceRoot(t)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// FreeAddr is a loopback address nothing listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start runs cmd until the test ends and returns once addr accepts
// connections; its output is shown if it exits early or the test fails.
func Start(t testing.TB, cmd *exec.Cmd, addr string) {
	t.Helper()
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("%s exited before listening:\n%s", cmd.Path, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after 20s", cmd.Path, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

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
