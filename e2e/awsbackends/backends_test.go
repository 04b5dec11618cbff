// Package awsbackends runs the docker CLI against the ECS and Lambda
// backends deployed on the AWS simulator: the real edge binary in front
// of the control-plane functions (Lambda Invoke), containers as Fargate
// tasks and as Lambda functions, with the real agent inside them.
package awsbackends

import (
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
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

func TestBackends(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the AWS simulator: not in -short")
	}
	d := awsdeploy.Deploy(t)
	img := d.PushTestImage(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the simulator's logs:\n%s", d.LogTail(t, 40))
		}
	})
	edge := awsdeploy.BuildEdge(t, t.TempDir())
	for _, backend := range []string{"ecs", "lambda"} {
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
			t.Run("cloud errors and large bodies", func(t *testing.T) { testBadInput(t, d, e, backend, img) })
			t.Run("crash", func(t *testing.T) { testCrash(t, d, edge, backend, img) })
			t.Run("compute conformance", func(t *testing.T) { testCompute(t, d, backend, img) })
			t.Run("nothing left running", func(t *testing.T) {
				if left := leftRunning(t, d, backend); len(left) > 0 {
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
