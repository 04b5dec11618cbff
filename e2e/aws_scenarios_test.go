package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/harness"
)

// awsBackends are the backends TestScenariosAWS runs the suite against.
var awsBackends = []string{"ecs", "lambda"}

// TestScenariosAWS runs every scenario of the local-mode suite through
// the real edge binary against the ECS and the Lambda backend deployed
// on the AWS simulator. A scenario listed in awsNotApplicable for a
// backend must still fail there, with the Docker error listed, and is
// reported as skipped; every other scenario must pass. Nothing is
// compared with dockerd: the scenarios' own checks are the judge.
func TestScenariosAWS(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the AWS simulator: not in -short")
	}
	if setupErr != "" {
		t.Fatal(setupErr)
	}
	if err := checkNotApplicableTable(allScenarios()); err != nil {
		t.Fatal(err)
	}
	d := awsdeploy.Deploy(t)
	vars := map[string]string{
		"regimg": d.PushTestImage(t),
		"reg":    d.Registry,
	}
	imported := pushImportedImage(t, d)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the simulator's logs:\n%s", d.LogTail(t, 40))
		}
	})
	edge := awsdeploy.BuildEdge(t, t.TempDir())
	for _, backend := range awsBackends {
		t.Run(backend, func(t *testing.T) {
			e := d.StartEdge(t, edge, backend, t.TempDir(), "")
			// The backends have no image store: @img@ is the imported
			// image's copy in ECR, pulled and tagged with TestImage so
			// the scenarios name it as they do on a local engine.
			for _, args := range [][]string{{"pull", imported}, {"tag", imported, TestImage}} {
				if r := e.DockerWith(harness.RunOpts{Timeout: timeoutPull}, args...); r.Code != 0 {
					t.Fatalf("docker %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Stderr)
				}
			}
			var passed, skipped int
			for _, sc := range allScenarios() {
				sc, why, err := adjusted(sc)
				if err != nil {
					t.Fatal(err)
				}
				na, listed := notApplicable(sc.Name, backend)
				ok := t.Run(sc.Name, func(t *testing.T) {
					t.Cleanup(func() {
						if t.Failed() {
							t.Logf("edge output (tail):\n%s", e.LogTail())
						}
					})
					for _, w := range why {
						t.Logf("adjusted for %s: %s", backend, w)
					}
					runAWSScenario(t, e, sc, vars, na, listed)
					passed++ // not reached when it failed or skipped
				})
				if ok && listed {
					skipped++
				}
			}
			fmt.Printf("aws-scenarios %s: %d passed, %d not applicable\n", backend, passed, skipped)
		})
	}
}

// runAWSScenario runs sc on e with vars over the session's own. A
// scenario that is not applicable must fail with na's error, then skips.
func runAWSScenario(t *testing.T, e *harness.Engine, sc Scenario, vars map[string]string, na awsNA, listed bool) {
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
		if !na.seen(s, r) {
			t.Fatalf("listed as not applicable on %s with %q, but it failed otherwise:\n%s", strings.Join(na.Backends, ","), na.Error+na.Stdout, failure)
		}
		t.Logf("fails as listed at step %d: %s:\nstdout: %s\nstderr: %s", i+1, cmd, strings.TrimSpace(r.Stdout), strings.TrimSpace(r.Stderr))
		t.Skip(na.Why)
	}
	if listed {
		t.Fatalf("listed as not applicable (%s) but every step passed: take it out of awsNotApplicable", na.Why)
	}
}

// seen reports whether r, the failing step's result, shows what na says
// the user gets.
func (na awsNA) seen(s *Session, r harness.Result) bool {
	if na.Error != "" {
		return strings.Contains(r.Stderr, s.Expand(na.Error))
	}
	return strings.Contains(r.Stdout, s.Expand(na.Stdout))
}

// notApplicable finds the table's row for scenario on backend.
func notApplicable(scenario, backend string) (awsNA, bool) {
	for _, na := range awsNotApplicable {
		if na.Scenario == scenario && slices.Contains(na.Backends, backend) {
			return na, true
		}
	}
	return awsNA{}, false
}

// checkNotApplicableTable refuses rows of both tables that name a
// scenario or backend that does not exist, or give no reason or no
// evidence, so the tables cannot rot.
func checkNotApplicableTable(all []Scenario) error {
	names := map[string]bool{}
	for _, sc := range all {
		names[sc.Name] = true
	}
	seen := map[string]bool{}
	for _, na := range awsNotApplicable {
		if !names[na.Scenario] {
			return fmt.Errorf("awsNotApplicable names scenario %q, which is not in the suite", na.Scenario)
		}
		if na.Why == "" || (na.Error == "") == (na.Stdout == "") || len(na.Backends) == 0 {
			return fmt.Errorf("awsNotApplicable row %q needs backends, a reason and one of Docker's error or the wrong stdout", na.Scenario)
		}
		for _, b := range na.Backends {
			if !slices.Contains(awsBackends, b) || seen[na.Scenario+"/"+b] {
				return fmt.Errorf("awsNotApplicable row %q: backend %q unknown or listed twice", na.Scenario, b)
			}
			seen[na.Scenario+"/"+b] = true
		}
	}
	for _, a := range awsAdjusted {
		if !names[a.Scenario] || a.Why == "" {
			return fmt.Errorf("awsAdjusted row %q: no such scenario, or no reason", a.Scenario)
		}
	}
	return nil
}
