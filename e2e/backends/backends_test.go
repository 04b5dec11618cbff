// Package backends runs the docker CLI against every backend of every
// registered cloud (e2e/clouds) deployed on the cloud's simulator: the
// real edge binary in front of the control-plane functions, containers
// run by the cloud's compute (on AWS, Fargate tasks and Lambda
// functions), with the real agent inside them.
package backends

import (
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/clouds"
	"github.com/sockerless/sockerless/e2e/harness"
)

// step is one docker CLI call and what it must give.
type step struct {
	args []string
	code int
	// out must be stdout exactly (after trimming), or contain each of
	// has; errHas must be in stderr.
	out    *string
	has    []string
	errHas []string
	// until retries the step until it passes, for things that settle
	// (logs reaching CloudWatch).
	until time.Duration
}

func str(s string) *string { return &s }

// scenario is a named list of steps; @img@ is the test image.
type scenario struct {
	name  string
	steps []step
	// skip names backends the scenario cannot pass on, and why.
	skip map[string]string
}

// cloudTest is a cloud's own test of a backend (its error paths, its
// compute drivers), run by TestBackends after the shared scenarios.
type cloudTest struct {
	name string
	run  func(t *testing.T, d cloud.Deployment, e *harness.Engine, backend, img string)
}

// cloudTests are each cloud's own tests, by the cloud's name; a cloud's
// test files add theirs (aws_*_test.go).
var cloudTests = map[string][]cloudTest{}

func TestBackends(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the clouds' simulators: not in -short")
	}
	for _, c := range clouds.All {
		t.Run(c.Name(), func(t *testing.T) { testCloud(t, c) })
	}
}

func testCloud(t *testing.T, c cloud.Cloud) {
	d, img, edge := cloud.Start(t, c)
	for _, backend := range c.Backends() {
		t.Run(backend, func(t *testing.T) {
			e := d.StartEdge(t, edge, backend, t.TempDir(), "")
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					if why := sc.skip[backend]; why != "" {
						t.Skip(why)
					}
					for _, st := range sc.steps {
						run(t, e, st, img)
					}
				})
			}
			// The cloud's own errors and its compute drivers are each
			// cloud's to test.
			for _, ct := range cloudTests[c.Name()] {
				t.Run(ct.name, func(t *testing.T) { ct.run(t, d, e, backend, img) })
			}
			t.Run("crash", func(t *testing.T) { testCrash(t, d, edge, backend, img) })
			t.Run("act job", func(t *testing.T) { testAct(t, e, backend, img) })
			t.Run("nothing left running", func(t *testing.T) {
				if left := d.LeftRunning(t, backend); len(left) > 0 {
					t.Errorf("after every container was removed: %v", left)
				}
			})
		})
	}
}

func run(t *testing.T, e *harness.Engine, st step, img string) {
	t.Helper()
	args := make([]string, len(st.args))
	for i, a := range st.args {
		args[i] = strings.ReplaceAll(a, "@img@", img)
	}
	deadline := time.Now().Add(st.until)
	for {
		r := e.DockerWith(harness.RunOpts{Timeout: 2 * time.Minute}, args...)
		why := check(st, r)
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("docker %s: %s\nexit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), why, r.Code, r.Stdout, r.Stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func check(st step, r harness.Result) string {
	if r.Code != st.code {
		return "wrong exit code"
	}
	if st.out != nil && strings.TrimSpace(r.Stdout) != *st.out {
		return "stdout is not " + *st.out
	}
	for _, h := range st.has {
		if !strings.Contains(r.Stdout, h) {
			return "stdout lacks " + h
		}
	}
	for _, h := range st.errHas {
		if !strings.Contains(r.Stderr, h) {
			return "stderr lacks " + h
		}
	}
	return ""
}
