package localmode

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/call/calltrace"
	"github.com/sockerless/sockerless/functions/testing/otlptest"
)

// TestRunRmTrace runs the real `docker run --rm IMG true` against local
// mode with the envelope serialized, tracing to a real OTLP receiver:
// each Docker request's span has its invocations as children, and each
// invocation the function's span, joined by the traceparent the call
// carried, and the function's span its store and driver calls.
func TestRunRmTrace(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("the docker CLI is not installed: ", err)
	}
	recv := otlptest.Start(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	tracer, stop, err := calltrace.Start(context.Background(), "sockerless", false)
	if err != nil {
		t.Fatal(err)
	}
	inst, cli := startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: t.TempDir(), Serialize: true, Tracer: tracer,
	})
	ref := benchImage(t, cli)
	cmd := exec.Command(docker, "run", "--rm", ref, "true")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+inst.DockerHost, "DOCKER_CONFIG="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker run --rm %s true: %v\n%s", ref, err, out)
	}
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := recv.Spans()
	byID := map[string]otlptest.Span{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	// parentOf is the span's parent in its own trace, if one was received.
	parentOf := func(s otlptest.Span) (otlptest.Span, bool) {
		p, ok := byID[s.Parent]
		return p, ok && p.TraceID == s.TraceID
	}
	invokes := map[string]int{}  // request span id → its invocation spans
	handled := map[string]bool{} // invocation span id → the function's span under it
	ops := map[string]bool{}
	seams := map[string]bool{} // "store.put under function container.create"
	for _, s := range spans {
		switch kind, op, _ := strings.Cut(s.Name, " "); kind {
		case "docker":
			ops[op] = true
			if s.Parent != "" {
				t.Errorf("request span %+v has a parent: the docker CLI sent no trace context", s)
			}
		case "invoke":
			// Under its request's span, sharing its id; the edge's own
			// calls (exit report, removal, agent auth) are roots.
			if p, ok := parentOf(s); ok {
				if !strings.HasPrefix(p.Name, "docker ") || p.Attributes["sockerless.request_id"] != s.Attributes["sockerless.request_id"] {
					t.Errorf("invocation span %+v is under %+v, not its request's span", s, p)
				}
				invokes[p.SpanID]++
			} else if !strings.HasPrefix(op, "internal.") {
				t.Errorf("invocation span %+v has no request span", s)
			}
		case "function":
			p, ok := parentOf(s)
			if !ok || p.Name != "invoke "+op {
				t.Errorf("function span %+v is not under its invocation's span (parent %+v)", s, p)
			}
			handled[p.SpanID] = true
		case "store.get", "store.put", "store.delete", "store.list",
			"driver.start", "driver.status", "driver.stop", "driver.remove", "driver.logs":
			// Core's store and driver calls, under the function's span.
			p, ok := parentOf(s)
			if !ok || !strings.HasPrefix(p.Name, "function ") {
				t.Errorf("%s span %+v is not under a function span (parent %+v)", kind, s, p)
				break
			}
			seams[kind+" under "+p.Name] = true
		default:
			t.Errorf("unexpected span %+v", s)
		}
	}
	// One connected trace from the docker CLI's request down to the
	// store and the driver.
	for _, want := range []string{
		"store.put under function container.create",
		"store.get under function container.start",
		"driver.start under function container.start",
		"driver.remove under function internal.container.autoremove",
	} {
		if !seams[want] {
			t.Errorf("no %s span", want)
		}
	}
	for _, s := range spans {
		if strings.HasPrefix(s.Name, "docker ") && invokes[s.SpanID] == 0 {
			t.Errorf("request span %+v has no invocation under it", s)
		}
		if strings.HasPrefix(s.Name, "invoke ") && !handled[s.SpanID] {
			t.Errorf("invocation span %+v has no function span under it: the traceparent did not cross the envelope", s)
		}
	}
	for _, op := range []string{"system.ping", "container.create", "container.attach", "container.wait", "container.start"} {
		if !ops[op] {
			t.Errorf("no span for the request %s", op)
		}
	}
	if t.Failed() {
		for _, s := range spans {
			t.Logf("%+v", s)
		}
	}
}
