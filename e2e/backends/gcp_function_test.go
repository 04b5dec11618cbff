package backends

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
	"github.com/sockerless/sockerless/functions/testing/proctest"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// TestGCPFunction drives the control plane as a Cloud Run function with
// the real docker CLI: the edge binary (--transport gcp, ID tokens from
// the simulator's metadata server) posts each call to the function
// served by functions-framework-go on loopback, whose core keeps its
// state in the GCP simulator's Firestore and runs the container in the
// sandbox runtime of its own instance. It counts the function's
// invocations per docker command from the function's own log, and checks
// the edge reports the same.
func TestGCPFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the GCP simulator, the function and the edge: not in -short")
	}
	dir := t.TempDir()
	sim := gcpsimtest.Simulator(t, dir)
	fn := startGCPFunction(t, dir, sim)
	e, img := startGCPEdge(t, dir, sim, fn)

	steps := []gcpStep{
		{"pull", []string{"pull", img}, 0, "", ""},
		{"run --rm echo", []string{"run", "--rm", img, "echo", "hi"}, 0, "entrypoint echo hi", ""},
		{"run, kept", []string{"run", "--name", "kept", "--entrypoint", "sh", img, "-c", "echo bye; exit 3"}, 3, "bye", ""},
		{"ps -a lists it exited", []string{"ps", "-a", "--format", "{{.Names}} {{.Status}}"}, 0, "kept Exited (3)", ""},
		{"rm", []string{"rm", "kept"}, 0, "kept", ""},
		{"ps -a is empty", []string{"ps", "-a", "-q"}, 0, "", ""},
		{"info names the backend", []string{"info", "--format", "{{json .}}"}, 0, "sandbox", ""},
		{"a published port is refused", []string{"run", "--rm", "-p", "8080:80", img}, 125, "",
			"publishing ports is not supported by the sandbox backend"},
	}
	for _, st := range steps {
		before := fn.log.settle(e)
		st.run(t, e)
		// The exit report and --rm's removal reach the function a moment
		// after the CLI has its answer.
		ops := fn.log.opsSince(before, fn.log.settle(e))
		t.Logf("docker %s: %d invocations of the function: %s", st.name, len(ops), strings.Join(ops, " "))
	}
	if n, edge := fn.log.calls(), edgeCountOf(e.LogTail()); n != edge {
		t.Errorf("the function logged %d invocations, the edge reports %d calls", n, edge)
	}
}

// startGCPEdge pushes the test image to a loopback registry and runs
// the edge binary over the function at fn (--transport gcp, ID tokens
// from the simulator's metadata server); it returns the edge and the
// image.
func startGCPEdge(t *testing.T, dir, sim string, fn gcpFunction) (*harness.Engine, string) {
	t.Helper()
	reg := registrytest.Start(t)
	fs, err := harness.BuildRootfs()
	if err != nil {
		t.Fatal(err)
	}
	img := reg.Ref("e2e/busybox:1")
	if err := harness.PushTestImage(fs, img); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "docker.sock")
	cmd := exec.Command(cloud.BuildEdge(t, dir), "--transport", "gcp", "--function", fn.url,
		"--socket", socket, "--log-format", "json")
	// ADC is the metadata server, the simulator's: no key file, no
	// gcloud user credentials.
	cmd.Env = append(harness.CleanEnv(), "GCE_METADATA_HOST="+sim, "GOOGLE_APPLICATION_CREDENTIALS=",
		"CLOUDSDK_CONFIG="+t.TempDir())
	e, err := harness.Launch("edge-gcp", cmd, socket, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("edge output:\n%s", e.LogTail())
			t.Logf("function output:\n%s", fn.log.tail())
		}
		_ = e.Stop()
	})
	return e, img
}

// gcpStep is one docker command and what it must answer.
type gcpStep struct {
	name   string
	args   []string
	code   int
	out    string // stdout must contain it
	errHas string // and stderr this
}

// run runs the step's command with the docker CLI on e and checks it.
func (st gcpStep) run(t *testing.T, e *harness.Engine) {
	t.Helper()
	r := e.Docker(st.args...)
	if r.Code != st.code || !strings.Contains(r.Stdout, st.out) || !strings.Contains(r.Stderr, st.errHas) {
		t.Fatalf("docker %s: exit %d, stdout %q, stderr %q; want exit %d with %q, %q", strings.Join(st.args, " "), r.Code, r.Stdout, r.Stderr, st.code, st.out, st.errHas)
	}
	if st.name == "ps -a is empty" && strings.TrimSpace(r.Stdout) != "" {
		t.Fatalf("after rm, ps -a lists %q", r.Stdout)
	}
}

// edgeCountOf adds up the function calls the edge's JSON log reports
// (logCount's rule, fed one line at a time).
func edgeCountOf(log string) int {
	var l logCount
	for _, line := range strings.Split(log, "\n") {
		_, _ = l.Write([]byte(line))
	}
	return l.calls
}

// gcpFunction is the function's process.
type gcpFunction struct {
	url string
	log *callLog
}

// startGCPFunction builds the function's bootstrap and runs it as Cloud
// Run would, with PORT, on loopback, over the simulator's Firestore, with
// env added to its environment.
func startGCPFunction(t *testing.T, dir, sim string, env ...string) gcpFunction {
	t.Helper()
	bin := proctest.Build(t, dir, "gcpfunction", "./functions/backends/local/cmd/gcpfunction", nil)
	addr := proctest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin)
	cmd.Env = append(harness.CleanEnv(), "PORT="+port, "FIRESTORE_EMULATOR_HOST="+sim,
		"GOOGLE_CLOUD_PROJECT="+gcpsimtest.Project, "SOCKERLESS_DATA_DIR="+t.TempDir(),
		"SOCKERLESS_SECRET=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	cmd.Env = append(cmd.Env, env...)
	log := &callLog{}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() { log.read(stderr); close(read) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-read
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return gcpFunction{url: "http://" + addr, log: log}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the function is not listening on %s after 30s:\n%s", addr, log.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// callLog keeps the ops of the function's "function call" lines (one
// per invocation, host.Logged's) and its output.
type callLog struct {
	mu    sync.Mutex
	ops   []string
	lines []string
}

func (l *callLog) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct{ Msg, Op string }
		isCall := json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "function call"
		l.mu.Lock()
		if isCall {
			l.ops = append(l.ops, line.Op)
		}
		l.lines = append(l.lines, sc.Text())
		l.mu.Unlock()
	}
}

func (l *callLog) calls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ops)
}

func (l *callLog) opsSince(from, to int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops[from:to])
}

// settle waits until the calls the function logged are those the edge
// reports and no more come for a moment (an exit report, --rm's
// removal, arrive after the CLI is done), and returns their count.
func (l *callLog) settle(e *harness.Engine) int {
	deadline := time.Now().Add(5 * time.Second)
	last, since := -1, time.Now()
	for {
		n := l.calls()
		if n != last {
			last, since = n, time.Now()
		}
		quiet := time.Since(since) > 300*time.Millisecond
		if (quiet && n == edgeCountOf(e.LogTail())) || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (l *callLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := l.lines
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	return fmt.Sprint(strings.Join(lines, "\n"))
}
