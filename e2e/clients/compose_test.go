package clients

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// composeTimeout bounds one compose command (a few seconds on dockerd).
const composeTimeout = 2 * time.Minute

// TestCompose drives a three-service project through docker compose's
// lifecycle on each target, counting each behaviour as one check.
func TestCompose(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			plugins, err := FindComposePlugins()
			if err != nil {
				t.Skip(err)
			}
			port := freePort(t)
			c, err := NewCompose(e.Host, "compose-"+tg.name, t.TempDir(), plugins, ComposeFile(TestImage, port))
			if err != nil {
				t.Fatal(err)
			}
			ck := &checks{t: t}
			t.Cleanup(func() {
				report("compose %s: %d passed, %d failed", tg.name, ck.passed, ck.failed)
				if r := c.Run(composeTimeout, "down", "-v", "--remove-orphans", "-t", "1"); r.Code != 0 {
					t.Logf("cleanup: compose down -v: %s", r.Stderr)
				}
			})
			composeLifecycle(t, ck, c, e, port)
		})
	}
}

// composeLifecycle runs the checks in the order a user would.
func composeLifecycle(t *testing.T, ck *checks, c *Compose, e *harness.Engine, port int) {
	r := c.Run(composeTimeout, "up", "-d")
	if !ck.ok("up -d", r.Code == 0, "exit %d:\n%s", r.Code, r.Stderr) {
		return
	}
	first := services(c, e)
	ck.ok("up -d starts every service", first["web"].running && first["client"].running && first["init"].id != "",
		"services after up -d: %v", first)

	r = c.Run(composeTimeout, "up", "-d")
	second := services(c, e)
	ck.ok("up -d again leaves running services alone", r.Code == 0 && sameRuns(first, second, "web", "client") && second["init"].id == first["init"].id,
		"exit %d: %s\nbefore: %v\nafter:  %v", r.Code, r.Stderr, first, second)

	r = c.Run(composeTimeout, "ps", "--format", "{{.Service}} {{.State}}")
	ck.ok("ps lists the running services", r.Code == 0 && containsLines(r.Stdout, "client running", "web running"),
		"exit %d: %s%s", r.Code, r.Stdout, r.Stderr)

	r = c.Run(composeTimeout, "exec", "-T", "client", "sh", "-c", "echo exec-mark > /tmp/mark && echo exec ran")
	mark := e.Docker("exec", first["client"].id, "cat", "/tmp/mark")
	ck.ok("exec runs in the service's container", r.Code == 0 && strings.TrimSpace(r.Stdout) == "exec ran" && strings.TrimSpace(mark.Stdout) == "exec-mark",
		"exit %d: %q %s; the file it wrote in %.12s: %q %s", r.Code, r.Stdout, r.Stderr, first["client"].id, mark.Stdout, mark.Stderr)

	// web serves the stamp init wrote into the volume (init ran at each
	// up: its last line).
	r = c.Run(composeTimeout, "logs", "--no-color", "--no-log-prefix", "init")
	logged := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	stamp := strings.TrimPrefix(logged[len(logged)-1], "init wrote ")
	got, r := fetchStamp(c, port, "", "exec", "-T", "client")
	ck.ok("client reaches web by its service name", strings.HasPrefix(stamp, "stamp-") && got == stamp,
		"want %q (init's log), got %q (exit %d: %s)", stamp, got, r.Code, r.Stderr)

	r = c.Run(composeTimeout, "port", "web", strconv.Itoa(port))
	got, err := readFrom(strings.TrimSpace(r.Stdout))
	ck.ok("the host reaches web's published port", r.Code == 0 && strings.HasPrefix(strings.TrimSpace(r.Stdout), "127.0.0.1:") && got == stamp,
		"compose port web %d: exit %d %q %s; read %q, %v; want %q", port, r.Code, r.Stdout, r.Stderr, got, err, stamp)

	ck.ok("logs -f follows a service's new output", followsLogs(c), "web's log did not show what client sent it while following")
	before := services(c, e)
	got, r = fetchStamp(c, port, "", "run", "--rm", "-T", "client")
	ck.ok("run --rm reaches web by its service name", got == stamp, "want %q, got %q (exit %d: %s)", stamp, got, r.Code, r.Stderr)
	after := services(c, e)
	ck.ok("run --rm leaves the dependencies running and removes itself", sameRuns(before, after, "web", "client") && len(after) == len(before),
		"before: %v\nafter:  %v", before, after)

	r = c.Run(composeTimeout, "down", "-t", "1")
	left := services(c, e)
	r2 := c.Run(composeTimeout, "up", "-d")
	again := services(c, e)
	got, r3 := fetchStamp(c, port, "", "exec", "-T", "client")
	ck.ok("the named volume outlives down and up", r.Code == 0 && len(left) == 0 && r2.Code == 0 && again["web"].id != first["web"].id && got == stamp,
		"down exit %d %s, left %v; up exit %d %s; stamp want %q, got %q (%s)", r.Code, r.Stderr, left, r2.Code, r2.Stderr, stamp, got, r3.Stderr)

	r = c.Run(composeTimeout, "down", "-v", "-t", "1")
	leftovers := projectLeftovers(c, e)
	ck.ok("down -v leaves no container, network or volume", r.Code == 0 && len(leftovers) == 0,
		"exit %d %s; left: %v", r.Code, r.Stderr, leftovers)
}

// fetchStamp sends msg to web, by service name, from a container of
// client that via (exec or run --rm) gives, and returns what web
// answered; web serves one connection at a time, so a refused connect
// is tried again.
func fetchStamp(c *Compose, port int, msg string, via ...string) (string, harness.Result) {
	args := append(via, "sh", "-c", fmt.Sprintf("echo %q | nc -w 5 web %d", msg, port))
	var r harness.Result
	for range 10 {
		r = c.Run(composeTimeout, args...)
		if out := strings.TrimSpace(r.Stdout); r.Code == 0 && out != "" {
			return out, r
		}
		time.Sleep(500 * time.Millisecond)
	}
	return "", r
}

// readFrom reads what web sends a host connection to addr until it
// closes; web serves one connection at a time, so a refused or empty one
// is tried again.
func readFrom(addr string) (string, error) {
	var err error
	for range 20 {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			var b []byte
			b, err = io.ReadAll(c)
			c.Close()
			if out := strings.TrimSpace(string(b)); err == nil && out != "" {
				return out, nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return "", err
}

// followsLogs follows web's logs while client sends web a message: the
// message must show up in the stream before it is cut off.
func followsLogs(c *Compose) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := c.Command(ctx, "logs", "-f", "--no-color", "web")
	out, err := cmd.StdoutPipe()
	if err != nil || cmd.Start() != nil {
		return false
	}
	defer cmd.Wait()
	defer cancel()
	msg := fmt.Sprintf("follow-%d", time.Now().UnixNano())
	seen := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), msg) {
				seen <- true
				return
			}
		}
		seen <- false
	}()
	// web prints what lands in its /tmp/say (written whole, by rename):
	// a line in its log that does not depend on nc's timing.
	say := fmt.Sprintf("echo %s > /tmp/say.new && mv /tmp/say.new /tmp/say", msg)
	if r := c.Run(composeTimeout, "exec", "-T", "web", "sh", "-c", say); r.Code != 0 {
		return false
	}
	return <-seen
}

// checks counts a target's checks and reports each failure.
type checks struct {
	t              *testing.T
	passed, failed int
}

func (c *checks) ok(name string, ok bool, format string, args ...any) bool {
	c.t.Helper()
	if ok {
		c.passed++
		return true
	}
	c.failed++
	c.t.Errorf("%s: "+format, append([]any{name}, args...)...)
	return false
}

// svc is one container of a service, as the engine reports it.
type svc struct {
	id, started string
	running     bool
}

func (r svc) String() string {
	return fmt.Sprintf("%.12s running=%v started=%s", r.id, r.running, r.started)
}

// services maps each service of the project to its (non one-off)
// container, from the engine itself rather than from compose.
func services(c *Compose, e *harness.Engine) map[string]svc {
	out := map[string]svc{}
	ids := strings.Fields(e.Docker("ps", "-aq", "--no-trunc", "--filter", "label=com.docker.compose.project="+c.Project).Stdout)
	if len(ids) == 0 {
		return out
	}
	r := e.Docker(append([]string{"inspect", "--format",
		`{{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.oneoff"}} {{.ID}} {{.State.Running}} {{.State.StartedAt}}`}, ids...)...)
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		f := strings.Fields(l)
		if len(f) != 5 {
			continue
		}
		name := f[0]
		if f[1] == "True" {
			name += " (one-off)"
		}
		out[name] = svc{id: f[2], running: f[3] == "true", started: f[4]}
	}
	return out
}

// sameRuns says whether each named service runs the same container,
// started at the same time, in a and b.
func sameRuns(a, b map[string]svc, names ...string) bool {
	for _, n := range names {
		if a[n].id == "" || a[n] != b[n] || !b[n].running {
			return false
		}
	}
	return true
}

// projectLeftovers lists the project's containers, networks and volumes
// the engine still has.
func projectLeftovers(c *Compose, e *harness.Engine) []string {
	label := "label=com.docker.compose.project=" + c.Project
	var out []string
	for _, args := range [][]string{
		{"ps", "-aq", "--filter", label},
		{"network", "ls", "-q", "--filter", label},
		{"volume", "ls", "-q", "--filter", label},
	} {
		for _, f := range strings.Fields(e.Docker(args...).Stdout) {
			out = append(out, args[0]+" "+f)
		}
	}
	sort.Strings(out)
	return out
}

func containsLines(s string, want ...string) bool {
	have := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}
