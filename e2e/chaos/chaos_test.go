// Package chaos soaks local mode with crashes and counts what they
// cost: clients run container lifecycles with the real docker CLI
// while a driver SIGKILLs local mode at random moments and restarts it
// on the same data. Afterwards every container's recorded exit is
// checked against what its workload did, inspect, ps and wait against
// each other, and, once everything is removed, the data directory, the
// store and the mounts for anything left behind. `make chaos` runs it.
package chaos

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// image is the test image local mode imports once.
const image = "chaos/busybox:1"

// soak is how long the clients run: 30s in the test suite (make
// test), CHAOS_DURATION (make chaos: 2m) when set.
func soak(t *testing.T) time.Duration {
	d := 30 * time.Second
	if s := os.Getenv("CHAOS_DURATION"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("CHAOS_DURATION=%s: %v", s, err)
		}
	}
	return d
}

// chaosClients is how many clients run lifecycles at once.
const chaosClients = 4

// daemon is local mode on one data directory, killed and restarted.
type daemon struct {
	bin, dir, socket string

	mu    sync.Mutex
	e     *harness.Engine
	kills []window // when local mode was down
}

// window is a span of time: local mode down, or a workload running.
type window struct{ from, to time.Time }

func (w window) overlaps(o window) bool { return w.from.Before(o.to) && o.from.Before(w.to) }

func (d *daemon) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(d.bin, "--socket", d.socket, "--data", filepath.Join(d.dir, "data"), "--runtime", "sandbox")
	cmd.Env = harness.CleanEnv()
	e, err := harness.Launch("sockerless", cmd, d.socket, "")
	if err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	d.e = e
	d.mu.Unlock()
}

// crash SIGKILLs local mode and restarts it.
func (d *daemon) crash(t *testing.T) {
	d.mu.Lock()
	e := d.e
	d.mu.Unlock()
	w := window{from: time.Now()}
	e.Kill()
	_ = e.Stop()
	d.start(t)
	w.to = time.Now()
	d.mu.Lock()
	d.kills = append(d.kills, w)
	d.mu.Unlock()
}

// crashedDuring reports whether local mode was down at some point of w.
func (d *daemon) crashedDuring(w window) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range d.kills {
		if k.overlaps(w) {
			return true
		}
	}
	return false
}

// lifecycle is one container a client ran, and what its workload does.
type lifecycle struct {
	name string
	code int // the workload's own exit code
	// stopped: docker stop was asked, so 143 (or 137 after the grace)
	// is right too, had it come before the workload's own end.
	stopped bool
	ran     window // from before run to after its expected end
	ops     int
	// waited is what docker wait printed during the lifecycle, "" if it
	// failed (local mode was down) or was not run.
	waited string
}

func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("a soak of local mode: not in -short")
	}
	bin := harness.BuildSockerless(t)
	dir := t.TempDir()
	d := &daemon{bin: bin, dir: dir, socket: filepath.Join(dir, "docker.sock")}
	d.start(t)
	t.Cleanup(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if t.Failed() {
			t.Logf("local mode's output:\n%s", d.e.LogTail())
		}
		_ = d.e.Stop()
	})
	cli, err := harness.Attach("chaos", "unix://"+d.socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Stop() })
	if err := harness.ImportImage(cli, image); err != nil {
		t.Fatal(err)
	}

	end := time.Now().Add(soak(t))
	var (
		mu   sync.Mutex
		runs []*lifecycle
		ops  int
		wg   sync.WaitGroup
	)
	for c := range chaosClients {
		wg.Go(func() {
			for k := 0; time.Now().Before(end); k++ {
				l := runLifecycle(cli, fmt.Sprintf("chaos-%d-%d", c, k))
				mu.Lock()
				runs = append(runs, l)
				ops += l.ops
				mu.Unlock()
			}
		})
	}
	for time.Now().Before(end) {
		time.Sleep(time.Duration(3000+rand.IntN(6000)) * time.Millisecond)
		if time.Now().Before(end) {
			d.crash(t)
		}
	}
	wg.Wait()

	var lost, wrong []string
	checked, crossed := 0, 0
	for _, l := range runs {
		if status, _, _ := inspectState(cli, l.name); (status == "" || status == "created") && l.waited == "" {
			continue
		}
		checked++
		if d.crashedDuring(l.ran) {
			crossed++
		}
		lost = append(lost, lostExit(cli, d, l)...)
		wrong = append(wrong, wrongState(cli, l)...)
	}
	if checked == 0 || crossed == 0 {
		t.Errorf("of %d lifecycles, %d started containers, %d of them crossed by a kill: the soak proved nothing", len(runs), checked, crossed)
	}
	leaked := leftBehind(t, cli, d)
	for _, s := range lost {
		t.Errorf("lost exit: %s", s)
	}
	for _, s := range wrong {
		t.Errorf("wrong state: %s", s)
	}
	for _, s := range leaked {
		t.Errorf("leaked: %s", s)
	}
	fmt.Printf("chaos: ops %d, kills %d, lost exits %d, wrong states %d, leaked resources %d\n",
		ops, len(d.kills), len(lost), len(wrong), len(leaked))
	fmt.Printf("chaos: %d lifecycles by %d clients in %v; %d containers started, %d of them while local mode was killed\n",
		len(runs), chaosClients, soak(t), checked, crossed)
}

// runLifecycle runs one container through run, exec, logs, cp, stop or
// wait, and (half of them) rm, as a client would; a step that fails while local mode is down
// is simply not retried (the checks afterwards judge what it left).
func runLifecycle(cli *harness.Engine, name string) *lifecycle {
	l := &lifecycle{name: name, code: rand.IntN(100)}
	sleep := 1 + rand.IntN(2)
	l.ran.from = time.Now()
	script := fmt.Sprintf("echo started; sleep %d; echo exiting %d; exit %d", sleep, l.code, l.code)
	docker := func(args ...string) harness.Result {
		l.ops++
		return cli.DockerWith(harness.RunOpts{Timeout: 30 * time.Second}, args...)
	}
	if r := docker("run", "-d", "--name", name, image, "sh", "-c", script); r.Code != 0 {
		l.ran.to = time.Now().Add(time.Duration(sleep+1) * time.Second)
		return l
	}
	docker("exec", name, "echo", "hi")
	docker("logs", name)
	docker("cp", name+":/etc/hostname", "-")
	if rand.IntN(4) == 0 {
		docker("stop", "-t", "1", name)
		l.stopped = true
	} else if r := docker("wait", name); r.Code == 0 {
		l.waited = strings.TrimSpace(r.Stdout)
	}
	l.ran.to = time.Now().Add(time.Duration(sleep+1) * time.Second)
	if rand.IntN(2) == 0 {
		docker("rm", name) // the others are checked, then removed, at the end
	}
	return l
}

// inspectState is what inspect says of a container: "" when it is gone.
func inspectState(cli *harness.Engine, name string) (status string, code int, errMsg string) {
	r := cli.Docker("inspect", "--format", "{{.State.Status}}|{{.State.ExitCode}}|{{.State.Error}}", name)
	if r.Code != 0 {
		return "", 0, ""
	}
	parts := strings.SplitN(strings.TrimSpace(r.Stdout), "|", 3)
	code, _ = strconv.Atoi(parts[1])
	return parts[0], code, parts[2]
}

// lostExit: a container whose recorded exit is not what its workload
// did. A workload local mode's crash ended is recorded as exit 255 with
// the reason in State.Error; any other difference is a lost exit.
func lostExit(cli *harness.Engine, d *daemon, l *lifecycle) []string {
	crashed := d.crashedDuring(l.ran)
	if l.waited != "" && l.waited != strconv.Itoa(l.code) && !(crashed && l.waited == "255") {
		return []string{fmt.Sprintf("%s: workload exits %d, docker wait printed %s; local mode crashed during its run: %v", l.name, l.code, l.waited, crashed)}
	}
	status, code, msg := inspectState(cli, l.name)
	if status == "" || status == "created" {
		return nil // never started: nothing ran to lose
	}
	if status == "running" {
		// Its workload ends by itself within seconds.
		r := cli.DockerWith(harness.RunOpts{Timeout: 30 * time.Second}, "wait", l.name)
		if r.Code != 0 {
			return []string{fmt.Sprintf("%s still running, and wait failed (%d): %s", l.name, r.Code, strings.TrimSpace(r.Stderr))}
		}
		status, code, msg = inspectState(cli, l.name)
	}
	switch {
	case crashed && code == 255 && msg != "":
		return nil
	case l.stopped && (code == 143 || code == 137):
		return nil
	case code == l.code:
		return nil
	}
	return []string{fmt.Sprintf("%s: workload exits %d, recorded %s %d (%q); local mode crashed during its run: %v", l.name, l.code, status, code, msg, crashed)}
}

// wrongState: inspect, ps and wait disagreeing about a container.
func wrongState(cli *harness.Engine, l *lifecycle) []string {
	status, code, _ := inspectState(cli, l.name)
	ps := strings.TrimSpace(cli.Docker("ps", "-a", "--filter", "name=^"+l.name+"$", "--format", "{{.State}}").Stdout)
	if status != ps {
		return []string{fmt.Sprintf("%s: inspect says %q, ps -a %q", l.name, status, ps)}
	}
	if status != "exited" {
		return nil
	}
	r := cli.DockerWith(harness.RunOpts{Timeout: 30 * time.Second}, "wait", l.name)
	if got := strings.TrimSpace(r.Stdout); r.Code != 0 || got != strconv.Itoa(code) {
		return []string{fmt.Sprintf("%s: inspect says exit %d, wait %q (%s)", l.name, code, got, strings.TrimSpace(r.Stderr))}
	}
	return nil
}
