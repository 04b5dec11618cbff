package clients

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
)

// TestImage is the busybox test image, imported on every target; the
// workflow's job containers run it.
const TestImage = "sockerless-e2e/busybox:1"

// target is one engine the clients run against, or why it cannot.
type target struct {
	name string // sandbox, engine (Sockerless's runtimes) or dockerd (the reference)
	e    *harness.Engine
	skip string // not available here: its tests skip
	fail string // should run and does not: its tests fail
}

var (
	targets  []*target
	setupErr string

	summaryMu sync.Mutex
	summary   []string // the per-target lines printed after the run
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	defer harness.Cleanup()
	fs, err := harness.BuildRootfs()
	switch {
	case err != nil:
		setupErr = "building the test rootfs: " + err.Error()
	case !fs.HasBusybox:
		setupErr = "the test image has no binaries: " + fs.Why
	}
	sandbox := startSandbox()
	dockerd := startDockerd()
	engine := startEngineRuntime(dockerd)
	targets = []*target{sandbox, dockerd, engine}
	// The engine runtime runs on the reference dockerd: stop it first.
	for _, t := range []*target{engine, sandbox, dockerd} {
		if t.e != nil {
			defer t.e.Stop()
		}
	}
	code := m.Run()
	for _, l := range summary {
		fmt.Println(l)
	}
	return code
}

// report records a line for the summary printed after the run.
func report(format string, args ...any) {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	summary = append(summary, fmt.Sprintf(format, args...))
}

func startSandbox() *target {
	t := &target{name: "sandbox"}
	bin, err := harness.BuildSockerlessBinary()
	if err != nil {
		t.skip = "sockerless binary cannot be built: " + err.Error()
		return t
	}
	return t.started(harness.LaunchSockerless(bin))
}

// started records a Sockerless engine that launched (or why it did not)
// and imports the test image into it.
func (t *target) started(e *harness.Engine, err error) *target {
	if err != nil {
		t.fail = err.Error()
		return t
	}
	t.e = e
	if err := harness.ImportImage(e, TestImage); err != nil {
		t.fail = err.Error()
	}
	return t
}

func startDockerd() *target {
	t := &target{name: "dockerd"}
	e, err := harness.StartDockerd()
	if err != nil {
		t.skip = "no reference engine: " + err.Error()
		return t
	}
	t.e = e
	if err := harness.ImportImage(e, TestImage); err != nil {
		t.skip = "reference dockerd started but cannot import the test image: " + err.Error()
	}
	return t
}

// startEngineRuntime starts local mode with --runtime engine on the
// reference dockerd, with a static agent built from this tree.
func startEngineRuntime(dockerd *target) *target {
	t := &target{name: "engine"}
	if dockerd.e == nil || dockerd.skip != "" {
		t.skip = "the engine runtime needs the reference dockerd: " + dockerd.skip
		return t
	}
	bin, err := harness.BuildSockerlessBinary()
	if err != nil {
		t.skip = "sockerless binary cannot be built: " + err.Error()
		return t
	}
	dir, err := os.MkdirTemp("", "sockerless-clients-engine-")
	if err != nil {
		t.fail = err.Error()
		return t
	}
	agent := filepath.Join(dir, "agent")
	if err := buildAgent(agent); err != nil {
		os.RemoveAll(dir)
		t.fail = err.Error()
		return t
	}
	socket := filepath.Join(dir, "docker.sock")
	cmd := exec.Command(bin, "--socket", socket, "--data", filepath.Join(dir, "data"),
		"--runtime", "engine", "--engine-host", dockerd.e.Host, "--engine-agent", agent)
	cmd.Env = harness.CleanEnv()
	return t.started(harness.Launch("sockerless-engine", cmd, socket, dir))
}

// buildAgent builds the static agent engine containers run, from the
// workspace this test runs in.
func buildAgent(out string) error {
	gowork, err := exec.Command("go", "env", "GOWORK").Output()
	root := strings.TrimSpace(string(gowork))
	if err != nil || root == "" || root == "off" {
		return fmt.Errorf("cannot find the workspace root: go env GOWORK gave %q (%v)", root, err)
	}
	cmd := exec.Command("go", "build", "-o", out, "./agent/cmd/agent")
	cmd.Dir = filepath.Dir(root)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./agent/cmd/agent: %v\n%s", err, b)
	}
	return nil
}

// use returns the engine of tg for t, skipping or failing t when it has
// none, and adds the engine's log tail to a failed test.
func (tg *target) use(t testing.TB) *harness.Engine {
	t.Helper()
	switch {
	case setupErr != "":
		t.Fatal(setupErr)
	case tg.skip != "":
		t.Skip(tg.skip)
	case tg.fail != "":
		t.Fatal(tg.fail)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s output (tail):\n%s", tg.e.Name, tg.e.LogTail())
		}
	})
	return tg.e
}
