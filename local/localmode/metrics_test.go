package localmode

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsAfterRun scrapes local mode's metrics endpoint after a real
// `docker run --rm IMG echo hello` and finds the run in it: each request
// of the run counted by op and status, the invocations they caused, the
// agent session the workload opened and the bytes its attach carried.
func TestMetricsAfterRun(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("the docker CLI is not installed: ", err)
	}
	inst, cli := startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: t.TempDir(), MetricsAddr: "127.0.0.1:0",
	})
	ref := benchImage(t, cli)
	cmd := exec.Command(docker, "run", "--rm", ref, "echo", "hello")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+inst.DockerHost, "DOCKER_CONFIG="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "hello\n" {
		t.Fatalf("docker run --rm %s echo hello: %v\n%s", ref, err, out)
	}
	checks := []struct {
		name   string
		metric string
		labels map[string]string
		min    float64
	}{
		{"the create is counted with its 201", "sockerless_edge_requests_total", map[string]string{"op": "container.create", "status": "201"}, 1},
		{"the start is counted with its 204", "sockerless_edge_requests_total", map[string]string{"op": "container.start", "status": "204"}, 1},
		{"the wait is counted", "sockerless_edge_requests_total", map[string]string{"op": "container.wait", "status": "200"}, 1},
		{"the create's latency is observed", "sockerless_edge_request_duration_seconds", map[string]string{"op": "container.create"}, 1},
		{"the wait's invocations are observed", "sockerless_edge_request_invocations", map[string]string{"op": "container.wait"}, 1},
		{"the start's invocation is counted", "sockerless_edge_invocations_total", map[string]string{"op": "container.start", "status": "204"}, 1},
		{"the --rm removal the edge made is counted", "sockerless_edge_invocations_total", map[string]string{"op": "internal.container.autoremove"}, 1},
		{"the workload's agent session is counted", "sockerless_edge_agent_sessions_opened_total", nil, 1},
		{"the attach's output is counted", "sockerless_edge_stream_bytes_total", map[string]string{"kind": "attach", "direction": "out"}, float64(len("hello\n"))},
	}
	// A request is counted once its answer is written: the client may
	// have read the last answer (the wait's) a moment before that.
	var got map[string]*dto.MetricFamily
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got = scrape(t, inst.MetricsURL)
		all := true
		for _, c := range checks {
			all = all && sum(got[c.metric], c.labels) >= c.min
		}
		if all || time.Now().After(deadline) {
			break
		}
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if v := sum(got[c.metric], c.labels); v < c.min {
				t.Errorf("%s%v = %v, want at least %v", c.metric, c.labels, v, c.min)
			}
		})
	}
}

// TestMetricsAddrLoopbackOnly: a metrics address off loopback is refused
// with the reason and the way to allow it.
func TestMetricsAddrLoopbackOnly(t *testing.T) {
	_, err := Start(context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: t.TempDir(), MetricsAddr: "0.0.0.0:0",
	})
	if err == nil || !strings.Contains(err.Error(), "refusing to serve metrics on 0.0.0.0:0") || !strings.Contains(err.Error(), "--allow-remote") {
		t.Fatalf("Start with --metrics-addr 0.0.0.0:0 = %v, want a refusal naming --allow-remote", err)
	}
}

// scrape reads the Prometheus text at url.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	if url == "" {
		t.Fatal("no metrics URL: metrics are off")
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want Prometheus's text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// sum adds up the samples of f whose labels include want: a counter's
// or gauge's value, a histogram's count.
func sum(f *dto.MetricFamily, want map[string]string) float64 {
	var total float64
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && have[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	return total
}
