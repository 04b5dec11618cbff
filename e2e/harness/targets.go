package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestImage is the busybox test image client suites import on every
// target (StartTargets) and run.
const TestImage = "sockerless-e2e/busybox:1"

// Target is one engine a client suite runs against, or why it cannot:
// sandbox, engine and native (Sockerless local mode's runtimes) or
// dockerd (the reference).
type Target struct {
	Name string
	E    *Engine
	Skip string // not available here: its tests skip
	Fail string // should run and does not: its tests fail

	setup string // the test image could not be built: every test fails
}

// StartTargets starts the sandbox, the reference dockerd, the engine
// runtime on it and the native runtime, in that order, each with image
// (the busybox test image) imported. stop ends them all and removes
// what they used. E2E_TARGETS (e.g. "native,dockerd") starts only
// those named; the others' tests skip.
func StartTargets(image string) (targets []*Target, stop func()) {
	var setup string
	fs, err := BuildRootfs()
	switch {
	case err != nil:
		setup = "building the test rootfs: " + err.Error()
	case !fs.HasBusybox:
		setup = "the test image has no binaries: " + fs.Why
	}
	sandbox := chosen("sandbox", startSandbox, image)
	dockerd := chosen("dockerd", startDockerdTarget, image)
	engine := chosen("engine", func(image string) *Target { return startEngineRuntime(dockerd, image) }, image)
	native := chosen("native", startNativeRuntime, image)
	targets = []*Target{sandbox, dockerd, engine, native}
	for _, t := range targets {
		t.setup = setup
	}
	return targets, func() {
		// The engine runtime runs on the reference dockerd: stop it first.
		for _, t := range []*Target{engine, native, sandbox, dockerd} {
			if t.E != nil {
				t.E.Stop()
			}
		}
		Cleanup()
	}
}

// Summary collects the lines a client suite prints after its run, one per
// tool and target ("act sandbox: N passed, M failed"); the Makefile shows
// them.
type Summary struct {
	mu    sync.Mutex
	lines []string
}

// Report adds a line.
func (s *Summary) Report(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, fmt.Sprintf(format, args...))
}

// RunSuite is a client suite's TestMain: it starts the targets with
// image, hands them to use, runs the tests, prints summary's lines and
// stops the targets.
func RunSuite(m *testing.M, image string, use func([]*Target), summary *Summary) int {
	started, stop := StartTargets(image)
	defer stop()
	use(started)
	code := m.Run()
	summary.mu.Lock()
	defer summary.mu.Unlock()
	for _, l := range summary.lines {
		fmt.Println(l)
	}
	return code
}

// Use returns the target's engine for t, skipping or failing t when it
// has none, and adds the engine's log tail to a failed test.
func (tg *Target) Use(t testing.TB) *Engine {
	t.Helper()
	switch {
	case tg.setup != "":
		t.Fatal(tg.setup)
	case tg.Skip != "":
		t.Skip(tg.Skip)
	case tg.Fail != "":
		t.Fatal(tg.Fail)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s output (tail):\n%s", tg.E.Name, tg.E.LogTail())
		}
	})
	return tg.E
}

// chosen starts target name with start, unless E2E_TARGETS leaves it
// out.
func chosen(name string, start func(image string) *Target, image string) *Target {
	if only := os.Getenv("E2E_TARGETS"); only != "" && !slices.Contains(strings.Split(only, ","), name) {
		return &Target{Name: name, Skip: "not in E2E_TARGETS=" + only}
	}
	return start(image)
}

func startSandbox(image string) *Target {
	t := &Target{Name: "sandbox"}
	bin, err := BuildSockerlessBinary()
	if err != nil {
		t.Skip = "sockerless binary cannot be built: " + err.Error()
		return t
	}
	e, err := LaunchSockerless(bin)
	return t.started(e, err, image)
}

// started records a Sockerless engine that launched (or why it did not)
// and imports image into it.
func (t *Target) started(e *Engine, err error, image string) *Target {
	if err != nil {
		t.Fail = err.Error()
		return t
	}
	t.E = e
	if err := ImportImage(e, image); err != nil {
		t.Fail = err.Error()
	}
	return t
}

func startDockerdTarget(image string) *Target {
	t := &Target{Name: "dockerd"}
	e, err := StartDockerd()
	if err != nil {
		t.Skip = "no reference engine: " + err.Error()
		return t
	}
	t.E = e
	if err := ImportImage(e, image); err != nil {
		t.Skip = "reference dockerd started but cannot import the test image: " + err.Error()
	}
	return t
}

// startEngineRuntime starts local mode with --runtime engine on the
// reference dockerd, with a static agent built from this tree.
func startEngineRuntime(dockerd *Target, image string) *Target {
	t := &Target{Name: "engine"}
	if dockerd.E == nil || dockerd.Skip != "" {
		t.Skip = "the engine runtime needs the reference dockerd: " + dockerd.Skip
		return t
	}
	bin, err := BuildSockerlessBinary()
	if err != nil {
		t.Skip = "sockerless binary cannot be built: " + err.Error()
		return t
	}
	e, err := launchRuntime(bin, "engine", "--engine-host", dockerd.E.Host)
	return t.started(e, err, image)
}

// startNativeRuntime starts local mode with --runtime native.
func startNativeRuntime(image string) *Target {
	t := &Target{Name: "native"}
	bin, err := BuildSockerlessBinary()
	if err != nil {
		t.Skip = "sockerless binary cannot be built: " + err.Error()
		return t
	}
	if t.Skip = NativeUnavailable(); t.Skip != "" {
		return t
	}
	e, err := LaunchNative(bin)
	return t.started(e, err, image)
}

// NativeUnavailable says why the native runtime cannot run here, or ""
// when it can: it needs root (Linux namespaces, cgroups, overlay mounts).
func NativeUnavailable() string {
	if os.Geteuid() != 0 {
		return "the native runtime needs root here (Linux namespaces, cgroups, overlay mounts): run as root"
	}
	return ""
}

// LaunchNative starts bin in local mode with --runtime native (Linux
// namespaces through libcontainer).
func LaunchNative(bin string) (*Engine, error) { return launchRuntime(bin, "native") }

// launchRuntime starts bin in local mode with --runtime runtime and
// args, a static agent built from this tree, a fresh data directory
// and socket.
func launchRuntime(bin, runtime string, args ...string) (*Engine, error) {
	dir, err := os.MkdirTemp("", "sockerless-"+runtime+"-")
	if err != nil {
		return nil, err
	}
	agent := filepath.Join(dir, "agent")
	if err := buildAgent(agent); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	socket := filepath.Join(dir, "docker.sock")
	cmd := exec.Command(bin, append([]string{"--socket", socket, "--data", filepath.Join(dir, "data"),
		"--runtime", runtime, "--engine-agent", agent}, args...)...)
	cmd.Env = cleanEnv()
	return Launch("sockerless-"+runtime, cmd, socket, dir)
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
