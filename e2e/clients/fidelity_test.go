package clients

import (
	"strings"
	"testing"

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
