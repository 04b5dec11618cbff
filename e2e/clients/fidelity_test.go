package clients

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// Gaps docker-py's suite found, kept fixed with the docker CLI on every
// target, so CI holds them without the docker-py checkout.

// docker kill answers once the container has stopped: inspect right
// after shows it exited by SIGKILL, and rm works without force.
func TestKillIsSynchronous(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			id := runSleeper(t, e)
			if r := e.Docker("kill", id); r.Code != 0 {
				t.Fatalf("kill: %s", r.Stderr)
			}
			st := e.Docker("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", id)
			if got := strings.TrimSpace(st.Stdout); got != "false 137" {
				t.Errorf("inspect right after kill: %q %s, want \"false 137\"", got, st.Stderr)
			}
			if r := e.Docker("rm", id); r.Code != 0 {
				t.Errorf("rm right after kill: %s", r.Stderr)
			}
		})
	}
}

// docker pause freezes a container where the runtime can (dockerd, the
// engine runtime) and is refused saying why where it cannot (the
// sandbox).
func TestPauseUnpause(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			id := runSleeper(t, e)
			p := e.Docker("pause", id)
			if tg.name == "sandbox" {
				if p.Code == 0 || !strings.Contains(p.Stderr, "cannot pause containers") {
					t.Errorf("pause in the sandbox: exit %d %q, want a refusal saying it cannot", p.Code, p.Stderr)
				}
				return
			}
			status := func() string {
				return strings.TrimSpace(e.Docker("inspect", "-f", "{{.State.Status}}", id).Stdout)
			}
			if p.Code != 0 || status() != "paused" {
				t.Fatalf("pause: exit %d %s; status %q", p.Code, p.Stderr, status())
			}
			if u := e.Docker("unpause", id); u.Code != 0 || status() != "running" {
				t.Errorf("unpause: exit %d %s; status %q", u.Code, u.Stderr, status())
			}
		})
	}
}

// runSleeper runs a container that sleeps on e, removed at the end.
func runSleeper(t *testing.T, e *harness.Engine) string {
	t.Helper()
	r := e.Docker("run", "-d", TestImage, "sleep", "300")
	if r.Code != 0 {
		t.Fatalf("run: %s", r.Stderr)
	}
	id := strings.TrimSpace(r.Stdout)
	t.Cleanup(func() { e.Docker("rm", "-f", id) })
	return id
}

// docker run --health-* checks the container from inside it: a passing
// check makes it healthy, a failing one unhealthy after its retries,
// with the probe's output in State.Health.Log, the status in docker ps,
// and a health_status event.
func TestHealthcheck(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			for _, tc := range []struct {
				cmd, want, output string
			}{
				{"echo fine", "healthy", "fine\n"},
				{"echo broken; exit 1", "unhealthy", "broken\n"},
			} {
				r := e.Docker("run", "-d", "--health-cmd", tc.cmd, "--health-interval", "200ms", "--health-retries", "2",
					TestImage, "sleep", "300")
				if r.Code != 0 {
					t.Fatalf("run: %s", r.Stderr)
				}
				id := strings.TrimSpace(r.Stdout)
				t.Cleanup(func() { e.Docker("rm", "-f", id) })
				var got string
				for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
					got = strings.TrimSpace(e.Docker("inspect", "-f", "{{.State.Health.Status}}", id).Stdout)
					if got == tc.want {
						break
					}
				}
				if got != tc.want {
					t.Fatalf("%q: health %q, want %q", tc.cmd, got, tc.want)
				}
				out := e.Docker("inspect", "-f", "{{(index .State.Health.Log 0).Output}}", id).Stdout
				if strings.TrimSuffix(out, "\n") != tc.output {
					t.Errorf("%q: probe output %q, want %q", tc.cmd, out, tc.output)
				}
				if ps := e.Docker("ps", "--filter", "id="+id, "--format", "{{.Status}}").Stdout; !strings.Contains(ps, "("+tc.want+")") {
					t.Errorf("%q: docker ps status %q, want it to say (%s)", tc.cmd, ps, tc.want)
				}
				ev := e.Docker("events", "--since", "0", "--until", fmt.Sprint(time.Now().Unix()+1), "--filter", "container="+id, "--filter", "event=health_status", "--format", "{{.Action}}")
				if !strings.Contains(ev.Stdout, "health_status: "+tc.want) {
					t.Errorf("%q: events %q, want health_status: %s", tc.cmd, ev.Stdout, tc.want)
				}
			}
		})
	}
}

// docker run --group-add gives the container's processes those
// supplementary groups where the runtime has groups (the sandbox has
// no users or groups to add to: it is left out).
func TestGroupAdd(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			if tg.name == "sandbox" {
				t.Skip("the sandbox runs every process as root with no groups")
			}
			e := tg.use(t)
			r := e.Docker("run", "--rm", "--group-add", "1000", "--group-add", "1001", TestImage, "id", "-G")
			groups := strings.Fields(r.Stdout)
			if r.Code != 0 || !slices.Contains(groups, "1000") || !slices.Contains(groups, "1001") {
				t.Errorf("id -G: exit %d, groups %q (%s), want 1000 and 1001 among them", r.Code, groups, r.Stderr)
			}
		})
	}
}

// docker start answers once the container's main process is on its way
// (its agent has connected), so top and exec right after find it, as
// on dockerd (docker-py's tests top and exec without waiting).
func TestStartedContainerIsThereAtOnce(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			for i := range 3 {
				id := runSleeper(t, e)
				top := e.Docker("top", id)
				if top.Code != 0 || !strings.Contains(top.Stdout, "sleep 300") {
					t.Errorf("run %d: top right after run: exit %d %q %s", i, top.Code, top.Stdout, top.Stderr)
				}
				if ex := e.Docker("exec", id, "true"); ex.Code != 0 {
					t.Errorf("run %d: exec right after run: exit %d %s", i, ex.Code, ex.Stderr)
				}
			}
		})
	}
}
