package testcontainers

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/sockerless/sockerless/e2e/harness"
)

// startupTimeout bounds each wait strategy.
const startupTimeout = time.Minute

// check is one behaviour of testcontainers-go the module test proves.
type check struct {
	name string
	run  func(ctx context.Context, t *testing.T)
}

// checks are TestModule's subtests; the parent counts them per target.
var checks = []check{
	{"wait_for_log", waitForLog},
	{"wait_for_exec", waitForExec},
	{"copy_to_container", copyToContainer},
	{"copy_file_from_container", copyFileFromContainer},
	{"exec_output_and_exit_code", execOutput},
	{"terminate_removes_container", terminate},
	{"network_alias_reaches_container", networkAlias},
	{"files_copied_before_start", filesBeforeStart},
	{"wait_for_exit_and_exit_code", waitForExit},
	{"stop_and_start_keep_files", stopAndStart},
	{"exposed_port_reached_from_host", exposedPort},
}

// TestModule is a testcontainers-go module test as a user writes one; it
// runs in a child process per target (TestTestcontainers).
func TestModule(t *testing.T) {
	if os.Getenv(childTarget) == "" {
		t.Skip("runs in a child process per target: see TestTestcontainers")
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c.run(ctx, t)
		})
	}
}

// serving is a container command that prints lines, then runs until it
// is stopped, exiting on SIGTERM as a service does.
func serving(lines ...string) testcontainers.CustomizeRequestOption {
	script := "trap 'exit 0' TERM\n"
	for _, l := range lines {
		script += l + "\n"
	}
	return testcontainers.WithCmd("sh", "-c", script+"while true; do sleep 1; done")
}

// start runs the test image with opts and terminates it when t ends.
func start(ctx context.Context, t *testing.T, opts ...testcontainers.ContainerCustomizer) *testcontainers.DockerContainer {
	t.Helper()
	c, err := testcontainers.Run(ctx, harness.TestImage, opts...)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("starting the container: %v", err)
	}
	return c
}

// execOut runs cmd in c and returns its exit code and combined output.
func execOut(ctx context.Context, t *testing.T, c testcontainers.Container, cmd ...string) (int, string) {
	t.Helper()
	code, r, err := c.Exec(ctx, cmd, tcexec.Multiplexed())
	if err != nil {
		t.Fatalf("exec %q: %v", cmd, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("exec %q output: %v", cmd, err)
	}
	return code, string(b)
}

func waitForLog(ctx context.Context, t *testing.T) {
	c := start(ctx, t,
		serving("echo booting", "sleep 1", "echo 'server is ready'"),
		testcontainers.WithWaitStrategy(wait.ForLog("server is ready").WithStartupTimeout(startupTimeout)))
	logs, err := c.Logs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(logs)
	logs.Close()
	if !strings.Contains(string(b), "booting\nserver is ready\n") {
		t.Errorf("logs = %q, want booting then server is ready", b)
	}
	if !c.IsRunning() {
		t.Error("the container is not running after its wait strategy")
	}
}

func waitForExec(ctx context.Context, t *testing.T) {
	c := start(ctx, t,
		serving("sleep 1", "touch /tmp/ready"),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"test", "-f", "/tmp/ready"}).
			WithPollInterval(200*time.Millisecond).WithStartupTimeout(startupTimeout)))
	if code, out := execOut(ctx, t, c, "ls", "/tmp/ready"); code != 0 {
		t.Errorf("after ForExec, ls /tmp/ready exited %d: %s", code, out)
	}
}

func copyToContainer(ctx context.Context, t *testing.T) {
	c := start(ctx, t, serving())
	content := []byte("copied by testcontainers\nsecond line\n")
	// testcontainers sends a gzip tar; the directory does not exist yet.
	if err := c.CopyToContainer(ctx, content, "/tmp/tc-copy/hello.txt", 0o640); err != nil {
		t.Fatalf("CopyToContainer: %v", err)
	}
	if code, out := execOut(ctx, t, c, "cat", "/tmp/tc-copy/hello.txt"); code != 0 || out != string(content) {
		t.Errorf("cat the copied file: exit %d, %q; want %q", code, out, content)
	}
	if code, out := execOut(ctx, t, c, "stat", "-c", "%a", "/tmp/tc-copy/hello.txt"); code != 0 || strings.TrimSpace(out) != "640" {
		t.Errorf("mode of the copied file: exit %d, %q; want 640", code, out)
	}
}

func copyFileFromContainer(ctx context.Context, t *testing.T) {
	c := start(ctx, t, serving("printf 'line one\\nline two\\n' > /tmp/out.txt", "echo written"),
		testcontainers.WithWaitStrategy(wait.ForLog("written").WithStartupTimeout(startupTimeout)))
	r, err := c.CopyFileFromContainer(ctx, "/tmp/out.txt")
	if err != nil {
		t.Fatalf("CopyFileFromContainer: %v", err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "line one\nline two\n" {
		t.Errorf("copied from the container: %q", b)
	}
}

func execOutput(ctx context.Context, t *testing.T) {
	c := start(ctx, t, serving())
	if code, out := execOut(ctx, t, c, "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"); code != 3 ||
		!strings.Contains(out, "to-stdout\n") || !strings.Contains(out, "to-stderr\n") {
		t.Errorf("exec: exit %d, output %q; want 3 and both streams", code, out)
	}
	code, r, err := c.Exec(ctx, []string{"sh", "-c", "pwd; echo $GREETING"}, tcexec.Multiplexed(),
		tcexec.WithWorkingDir("/tmp"), tcexec.WithEnv([]string{"GREETING=hi"}))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	if code != 0 || string(b) != "/tmp\nhi\n" {
		t.Errorf("exec with working dir and env: exit %d, %q; want /tmp and hi", code, b)
	}
}

func terminate(ctx context.Context, t *testing.T) {
	c := start(ctx, t, serving())
	id := c.GetContainerID()
	if err := c.Terminate(ctx); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	_, err = cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if !cerrdefs.IsNotFound(err) {
		t.Errorf("inspect after Terminate: %v, want not found", err)
	}
}

func networkAlias(ctx context.Context, t *testing.T) {
	nw, err := network.New(ctx)
	testcontainers.CleanupNetwork(t, nw)
	if err != nil {
		t.Fatalf("network.New: %v", err)
	}
	port := freePort(t)
	start(ctx, t,
		serving(fmt.Sprintf("while true; do echo hello-by-alias | nc -l -p %d; done &", port), "echo listening"),
		network.WithNetwork([]string{"tc-server"}, nw),
		testcontainers.WithWaitStrategy(wait.ForLog("listening").WithStartupTimeout(startupTimeout)))
	peer := start(ctx, t, serving(), network.WithNetwork([]string{"tc-client"}, nw))
	var out string
	// The listener starts in the background: try for a few seconds.
	for range 20 {
		var code int
		if code, out = execOut(ctx, t, peer, "nc", "-w", "5", "tc-server", strconv.Itoa(port)); code == 0 && strings.Contains(out, "hello-by-alias") {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Errorf("nc tc-server %d from the other container: %q, want hello-by-alias", port, out)
}

func filesBeforeStart(ctx context.Context, t *testing.T) {
	c := start(ctx, t, serving(), testcontainers.WithFiles(testcontainers.ContainerFile{
		Reader: strings.NewReader("key=value\n"), ContainerFilePath: "/tmp/conf/app.conf", FileMode: 0o600,
	}))
	if code, out := execOut(ctx, t, c, "cat", "/tmp/conf/app.conf"); code != 0 || out != "key=value\n" {
		t.Errorf("cat the file copied before start: exit %d, %q", code, out)
	}
}

func waitForExit(ctx context.Context, t *testing.T) {
	c := start(ctx, t, testcontainers.WithCmd("sh", "-c", "echo finished; exit 4"),
		testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(startupTimeout)))
	st, err := c.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running || st.ExitCode != 4 {
		t.Errorf("state after ForExit: running %v, exit %d; want exited 4", st.Running, st.ExitCode)
	}
}

func stopAndStart(ctx context.Context, t *testing.T) {
	c := start(ctx, t, serving())
	if code, out := execOut(ctx, t, c, "touch", "/tmp/kept"); code != 0 {
		t.Fatalf("touch: exit %d, %s", code, out)
	}
	stop := 5 * time.Second
	if err := c.Stop(ctx, &stop); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	if code, out := execOut(ctx, t, c, "ls", "/tmp/kept"); code != 0 {
		t.Errorf("after a restart, ls /tmp/kept: exit %d, %s", code, out)
	}
}

// exposedPort serves HTTP on an exposed port, waits for it from the host
// (ForHTTP dials the mapped port), then the host asks it itself.
func exposedPort(ctx context.Context, t *testing.T) {
	port := freePort(t) // the local runtimes share the host's network
	exposed := fmt.Sprintf("%d/tcp", port)
	reply := `printf 'HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n'`
	c := start(ctx, t,
		testcontainers.WithCmd("sh", "-c", fmt.Sprintf("trap 'exit 0' TERM\nwhile true; do %s | nc -l -p %d; done", reply, port)),
		testcontainers.WithExposedPorts(exposed),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/").WithPort(exposed).
			WithPollInterval(200*time.Millisecond).WithStartupTimeout(startupTimeout)))
	mapped, err := c.MappedPort(ctx, exposed)
	if err != nil {
		t.Fatalf("MappedPort: %v", err)
	}
	if mapped.Num() == uint16(port) {
		t.Errorf("mapped port %d is the container port: want a port of its own", port)
	}
	var body string
	for range 20 { // nc serves one connection at a time
		if body, err = httpGet(ctx, fmt.Sprintf("http://127.0.0.1:%d/", mapped.Num())); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || body != "hello\n" {
		t.Errorf("GET the mapped port %d: %q, %v; want hello", mapped.Num(), body, err)
	}
}

// httpGet returns the body of url.
func httpGet(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// freePort is a TCP port free on this machine: the Sockerless runtimes
// share the host's network, so a container's listener takes a host port.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
