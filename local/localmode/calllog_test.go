package localmode

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/client"
)

// jsonLog is a JSON log in a file: slog serializes its writes, and
// the test reads the file while late lines (a session's end) may still
// be written.
type jsonLog struct {
	f    *os.File
	read int
}

func newJSONLog(t *testing.T, level slog.Level) (*jsonLog, *slog.Logger) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &jsonLog{f: f}, slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: level}))
}

// lines decodes the whole lines written since the last call.
func (j *jsonLog) lines(t *testing.T) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(j.f.Name())
	if err != nil {
		t.Fatal(err)
	}
	b = b[j.read:]
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	j.read += len(b)
	var out []map[string]any
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// TestRunRmLogsEachRequest runs the real `docker run --rm IMG true`
// against local mode logging JSON at debug, and reads what it logged:
// one line per Docker API request with its invocations counted, each
// invocation under its request's id on both sides of the envelope, and
// the agent session and streams the run used.
func TestRunRmLogsEachRequest(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("the docker CLI is not installed: ", err)
	}
	logs, log := newJSONLog(t, slog.LevelDebug)
	inst, cli := startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: t.TempDir(), Log: log,
	})
	ref := benchImage(t, cli)
	logs.lines(t) // the pull's lines are not this test's

	cmd := exec.Command(docker, "run", "--rm", ref, "true")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+inst.DockerHost, "DOCKER_CONFIG="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker run --rm %s true: %v\n%s", ref, err, out)
	}
	lines := logs.lines(t)

	byMsg := map[string][]map[string]any{}
	for _, l := range lines {
		byMsg[l["msg"].(string)] = append(byMsg[l["msg"].(string)], l)
	}
	// What the docker CLI asks for an attached --rm run.
	var ops []string
	calls := map[string]int{} // request id → invocations the edge counted
	var container string
	total := 0
	for _, r := range byMsg["request"] {
		op := r["op"].(string)
		ops = append(ops, op)
		if r["level"] != "INFO" || r["status"].(float64) >= 400 || r["dur"].(float64) <= 0 {
			t.Errorf("request line %v: want INFO, a status below 400 and a duration", r)
		}
		// One invocation each, but for the streams that wait for the
		// exit: they also poll the function every few seconds.
		n := int(r["calls"].(float64))
		if n < 1 || n > 1 && op != "container.attach" && op != "container.wait" {
			t.Errorf("request line %v: %d invocations, want 1", r, n)
		}
		calls[r["req"].(string)] = n
		total += n
		if op == "container.create" {
			container, _ = r["ref"].(string)
		} else if op != "system.ping" && r["ref"] != container {
			t.Errorf("request line %v: ref is not the created container %q", r, container)
		}
	}
	slices.Sort(ops)
	want := []string{"container.attach", "container.create", "container.start", "container.wait", "system.ping"}
	if !slices.Equal(ops, want) {
		t.Errorf("request lines for ops %v, want one each of %v", ops, want)
	}
	if container == "" {
		t.Fatal("the container.create line names no container")
	}

	// Each invocation under a request carries its id, on the edge's
	// side and on the function's; the edge's own calls (the exit report,
	// the removal, the agent's authentication) have a line of their own.
	seen := map[string]int{}
	for _, inv := range byMsg["invocation"] {
		seen[inv["req"].(string)]++
	}
	if len(seen) != len(calls) {
		t.Errorf("invocation lines under %d request ids, want %d: %v", len(seen), len(calls), seen)
	}
	for id, n := range calls {
		if seen[id] != n {
			t.Errorf("request %s counted %d invocations, its invocation lines say %d", id, n, seen[id])
		}
	}
	var own []string
	for _, c := range byMsg["edge call"] {
		own = append(own, c["op"].(string))
		seen[c["req"].(string)]++
		total++
	}
	slices.Sort(own)
	if want := []string{"internal.agent.auth", "internal.container.autoremove", "internal.container.exited"}; !slices.Equal(own, want) {
		t.Errorf("the edge's own calls %v, want %v", own, want)
	}
	fn := map[string]int{}
	for _, c := range byMsg["function call"] {
		fn[c["req"].(string)]++
	}
	if len(fn) != len(seen) {
		t.Errorf("the function logged calls under %d request ids, the edge %d", len(fn), len(seen))
	}
	for id, n := range seen {
		if fn[id] != n {
			t.Errorf("request %s: the edge logged %d invocations, the function %d", id, n, fn[id])
		}
	}
	t.Logf("docker run --rm true: %d requests, %d invocations", len(byMsg["request"]), total)

	for _, msg := range []string{"stream start", "stream end", "agent session open", "agent session closed"} {
		if len(byMsg[msg]) == 0 {
			t.Errorf("no %q line at debug", msg)
		}
		for _, l := range byMsg[msg] {
			if l["container"] != container {
				t.Errorf("%q line %v is not about container %s", msg, l, container)
			}
		}
	}
	if t.Failed() {
		for _, l := range lines {
			t.Log(l)
		}
	}
}

// TestServerErrorLoggedWithCause pulls from a registry that refuses
// connections, with the log at error level only: the 500 the function
// answers is logged on both sides with its cause, and nothing else is.
func TestServerErrorLoggedWithCause(t *testing.T) {
	logs, log := newJSONLog(t, slog.LevelError)
	_, cli := startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: t.TempDir(), Log: log,
	})
	ctx := context.Background()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		t.Fatal(err)
	}
	const ref = "127.0.0.1:1/refused/image:1" // port 1: nothing listens
	if rc, err := cli.ImagePull(ctx, ref, client.ImagePullOptions{}); err == nil {
		rc.Close()
		t.Fatalf("pull of %s succeeded", ref)
	}
	byMsg := map[string]map[string]any{}
	for _, l := range logs.lines(t) {
		if l["level"] != "ERROR" {
			t.Errorf("line below error level: %v", l)
		}
		byMsg[l["msg"].(string)] = l
	}
	req := byMsg["request"]
	if req == nil || req["status"] != float64(500) || req["op"] != "image.create" ||
		!strings.Contains(req["err"].(string), "127.0.0.1:1") {
		t.Fatalf("request line %v: want the 500 of image.create with the refused registry as its cause", req)
	}
	if fn := byMsg["function call"]; fn == nil || fn["req"] != req["req"] || fn["err"] != req["err"] {
		t.Errorf("function line %v: want the same request id and cause as the edge's %v", fn, req)
	}
}
