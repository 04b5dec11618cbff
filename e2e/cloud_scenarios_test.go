package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/clouds"
	"github.com/sockerless/sockerless/e2e/harness"
)

// TestCloudScenarios runs every scenario of the local-mode suite through the
// real edge binary against every backend of every registered cloud,
// deployed on the cloud's simulator. A scenario the cloud lists as not
// applicable for a backend must still fail there, with the Docker error
// listed, and is reported as skipped; every other scenario must pass.
// Nothing is compared with dockerd: the scenarios' own checks are the
// judge.
func TestCloudScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the clouds' simulators: not in -short")
	}
	if setupErr != "" {
		t.Fatal(setupErr)
	}
	for _, c := range clouds.All {
		t.Run(c.Name(), func(t *testing.T) { scenariosOn(t, c) })
	}
}

func scenariosOn(t *testing.T, c cloud.Cloud) {
	if err := checkNotApplicableTable(c, allScenarios()); err != nil {
		t.Fatal(err)
	}
	d, regimg, edge := cloud.Start(t, c)
	vars := map[string]string{"regimg": regimg, "reg": d.RegistryHost()}
	imported := pushImportedImage(t, d)
	for _, backend := range c.Backends() {
		t.Run(backend, func(t *testing.T) {
			e := d.StartEdge(t, edge, backend, t.TempDir(), "")
			// The backends have no image store: @img@ is the imported
			// image's copy in the registry, pulled and tagged with
			// TestImage so the scenarios name it as they do on a local
			// engine.
			for _, args := range [][]string{{"pull", imported}, {"tag", imported, TestImage}} {
				if r := e.DockerWith(harness.RunOpts{Timeout: timeoutPull}, args...); r.Code != 0 {
					t.Fatalf("docker %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Stderr)
				}
			}
			var passed, skipped int
			for _, sc := range allScenarios() {
				sc, why, err := adjusted(sc, c.Name())
				if err != nil {
					t.Fatal(err)
				}
				na, listed := notApplicable(c, sc.Name, backend)
				ok := t.Run(sc.Name, func(t *testing.T) {
					t.Cleanup(func() {
						if t.Failed() {
							t.Logf("edge output (tail):\n%s", e.LogTail())
						}
					})
					for _, w := range why {
						t.Logf("adjusted for %s: %s", backend, w)
					}
					runCloudScenario(t, e, sc, vars, na, listed)
					passed++ // not reached when it failed or skipped
				})
				if ok && listed {
					skipped++
				}
			}
			fmt.Printf("%s-scenarios %s: %d passed, %d not applicable\n", c.Name(), backend, passed, skipped)
		})
	}
}

// adjust replaces the checks of one step on a cloud's backends, where
// the backend's answer legitimately differs from a local engine's. Args
// is how the step's command starts, so the row cannot drift onto
// another step.
type adjust struct {
	Scenario string
	Step     int // 1-based
	Args     string
	Why      string
	Checks   []Check
	// Code, when set, replaces the step's exit code.
	Code *int
}

// adjustments are each cloud's adjusted steps, by the cloud's name; a
// cloud's table file adds its own (aws_table_test.go).
var adjustments = map[string][]adjust{}

// runCloudScenario runs sc on e with vars over the session's own. A
// scenario that is not applicable must fail with na's error, then skips.
func runCloudScenario(t *testing.T, e *harness.Engine, sc Scenario, vars map[string]string, na cloud.NotApplicable, listed bool) {
	if !sc.Static && !rootfs.HasBusybox {
		t.Skipf("test image has no binaries: %s", rootfs.Why)
	}
	s := newSession(t, e)
	for k, v := range vars {
		s.Vars[k] = v
	}
	t.Cleanup(s.cleanup)
	for i, st := range sc.Steps {
		cmd, r, err := s.step(st)
		if err == nil {
			if st.Save != "" {
				s.Vars[st.Save] = strings.TrimSpace(r.Stdout)
			}
			continue
		}
		failure := fmt.Sprintf("step %d: %s: %v\nexit code: %d\nstdout:\n%s\nstderr:\n%s", i+1, cmd, err, r.Code, r.Stdout, r.Stderr)
		if !listed {
			t.Fatal(failure)
		}
		if !seen(na, s, r) {
			t.Fatalf("listed as not applicable on %s with %q, but it failed otherwise:\n%s", strings.Join(na.Backends, ","), na.Error+na.Stdout, failure)
		}
		t.Logf("fails as listed at step %d: %s:\nstdout: %s\nstderr: %s", i+1, cmd, strings.TrimSpace(r.Stdout), strings.TrimSpace(r.Stderr))
		t.Skip(na.Why)
	}
	if listed {
		t.Fatalf("listed as not applicable (%s) but every step passed: take it out of the cloud's NotApplicable", na.Why)
	}
}

// seen reports whether r, the failing step's result, shows what na says
// the user gets.
func seen(na cloud.NotApplicable, s *Session, r harness.Result) bool {
	if na.Error != "" {
		return strings.Contains(r.Stderr, s.Expand(na.Error))
	}
	return strings.Contains(r.Stdout, s.Expand(na.Stdout))
}

// notApplicable finds c's row for scenario on backend.
func notApplicable(c cloud.Cloud, scenario, backend string) (cloud.NotApplicable, bool) {
	for _, na := range c.NotApplicable() {
		if na.Scenario == scenario && slices.Contains(na.Backends, backend) {
			return na, true
		}
	}
	return cloud.NotApplicable{}, false
}

// checkNotApplicableTable refuses rows of c's not-applicable table and
// of its adjustments that name a scenario or backend that does not
// exist, or give no reason or no evidence, so the tables cannot rot.
func checkNotApplicableTable(c cloud.Cloud, all []Scenario) error {
	names := map[string]bool{}
	for _, sc := range all {
		names[sc.Name] = true
	}
	seen := map[string]bool{}
	for _, na := range c.NotApplicable() {
		if !names[na.Scenario] {
			return fmt.Errorf("%s NotApplicable names scenario %q, which is not in the suite", c.Name(), na.Scenario)
		}
		if na.Why == "" || (na.Error == "") == (na.Stdout == "") || len(na.Backends) == 0 {
			return fmt.Errorf("%s NotApplicable row %q needs backends, a reason and one of Docker's error or the wrong stdout", c.Name(), na.Scenario)
		}
		for _, b := range na.Backends {
			if !slices.Contains(c.Backends(), b) || seen[na.Scenario+"/"+b] {
				return fmt.Errorf("%s NotApplicable row %q: backend %q unknown or listed twice", c.Name(), na.Scenario, b)
			}
			seen[na.Scenario+"/"+b] = true
		}
	}
	for _, a := range adjustments[c.Name()] {
		if !names[a.Scenario] || a.Why == "" {
			return fmt.Errorf("%s adjustments row %q: no such scenario, or no reason", c.Name(), a.Scenario)
		}
	}
	return nil
}

// adjusted returns sc with the steps the cloud's adjustments replace,
// and the reasons, or an error when a row does not fit the scenario's
// steps.
func adjusted(sc Scenario, cloud string) (Scenario, []string, error) {
	var why []string
	steps := append([]Step(nil), sc.Steps...)
	for _, a := range adjustments[cloud] {
		if a.Scenario != sc.Name {
			continue
		}
		if a.Step < 1 || a.Step > len(steps) || !strings.HasPrefix(strings.Join(steps[a.Step-1].Args, " "), a.Args) {
			return sc, nil, fmt.Errorf("%s adjustments: %s step %d is not `docker %s`", cloud, sc.Name, a.Step, a.Args)
		}
		steps[a.Step-1].Checks = a.Checks
		if a.Code != nil {
			steps[a.Step-1].Code = *a.Code
		}
		why = append(why, fmt.Sprintf("step %d: %s", a.Step, a.Why))
	}
	sc.Steps = steps
	return sc, why, nil
}
