// Package e2e drives sockerless with the real docker CLI and the Docker SDK
// and, where one can start, a real dockerd as the reference to compare with.
package e2e

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
)

// TestImage is the name the test rootfs is imported under on every engine.
const TestImage = "sockerless-e2e/busybox:1"

// slot is one engine the suite runs against, or why it cannot.
type slot struct {
	name string
	e    *harness.Engine
	skip string // the engine is not available here: its subtests skip
	fail string // the engine should run but does not: its subtests fail
}

var (
	engines  []*slot
	registry *harness.Registry
	rootfs   harness.Rootfs
	setupErr string // a harness part every scenario needs failed
)

func TestMain(m *testing.M) {
	code := run(m)
	os.Exit(code)
}

func run(m *testing.M) int {
	defer harness.Cleanup()
	fs, err := harness.BuildRootfs()
	if err != nil {
		setupErr = "building the test rootfs: " + err.Error()
	}
	rootfs = fs
	if setupErr == "" {
		if registry, err = harness.StartRegistry(); err != nil {
			setupErr = "starting the in-process registry: " + err.Error()
		} else {
			defer registry.Close()
		}
	}

	engines = []*slot{chosen("sockerless", startSockerless), chosen("dockerd", startDockerd), chosen("native", startNative)}
	for _, s := range engines {
		if s.e != nil {
			defer s.e.Stop()
		}
	}
	// Through cloud.Main: the cloud scenarios' deployments are shared,
	// and torn down after the tests.
	code := cloud.Main(m)
	printComparison()
	return code
}

func startSockerless() *slot { return launchSlot("sockerless", harness.LaunchSockerless) }

// launchSlot starts a Sockerless engine with launch and imports the
// test image into it.
func launchSlot(name string, launch func(bin string) (*harness.Engine, error)) *slot {
	s := &slot{name: name}
	bin, err := harness.BuildSockerlessBinary()
	if err != nil {
		s.skip = "sockerless binary cannot be built: " + err.Error()
		return s
	}
	e, err := launch(bin)
	if err != nil {
		s.fail = err.Error()
		return s
	}
	s.e = e
	if err := harness.ImportImage(e, TestImage); err != nil {
		s.fail = err.Error()
	}
	return s
}

// chosen starts engine name with start, unless E2E_TARGETS (e.g.
// "native,dockerd") leaves it out.
func chosen(name string, start func() *slot) *slot {
	if only := os.Getenv("E2E_TARGETS"); only != "" && !slices.Contains(strings.Split(only, ","), name) {
		return &slot{name: name, skip: "not in E2E_TARGETS=" + only}
	}
	return start()
}

// startNative starts local mode with the native runtime, which runs
// the same scenarios and is compared with dockerd on its own line.
func startNative() *slot {
	if why := harness.NativeUnavailable(); why != "" {
		return &slot{name: "native", skip: why}
	}
	return launchSlot("native", harness.LaunchNative)
}

func startDockerd() *slot {
	s := &slot{name: "dockerd"}
	e, err := harness.StartDockerd()
	if err != nil {
		s.skip = "no reference engine: " + err.Error()
		return s
	}
	s.e = e
	if err := harness.ImportImage(e, TestImage); err != nil {
		s.skip = "reference dockerd started but cannot import the test image: " + err.Error()
	}
	return s
}

// available skips or fails t, once for all of an engine's subtests, when
// the engine cannot run scenarios here.
func (s *slot) available(t *testing.T) {
	t.Helper()
	switch {
	case setupErr != "":
		t.Fatal(setupErr)
	case s.skip != "":
		t.Skip(s.skip)
	case s.fail != "":
		t.Fatal(s.fail)
	}
}

// use returns the engine of s for t, skipping or failing t when it has none.
func (s *slot) use(t *testing.T) *harness.Engine {
	t.Helper()
	s.available(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s output (tail):\n%s", s.name, s.e.LogTail())
		}
	})
	return s.e
}

// running reports the engines that run here, sorted by name.
func running() []*slot {
	var out []*slot
	for _, s := range engines {
		if s.e != nil && s.skip == "" && s.fail == "" {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name > out[j].name })
	return out
}

func printComparison() {
	if report == nil {
		return
	}
	fmt.Print(report.String())
}
