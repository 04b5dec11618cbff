package localmode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/agent/agentbin"
	"github.com/sockerless/sockerless/functions/backends/local/native"
	"github.com/sockerless/sockerless/functions/testing/debimage"
	"github.com/sockerless/sockerless/sandbox/nsrun/unprivileged"
)

// The rootless tests run local mode as uid 65534 (package unprivileged
// reruns them so when the test binary runs as root): the native runtime
// then runs each container in a user namespace of its own.

// rootlessAgentEnv passes the rerun the agent binary root built (the
// unprivileged user cannot build one: the Go caches are root's).
const rootlessAgentEnv = "SOCKERLESS_TEST_AGENT"

// rootlessDebianEnv passes it the Debian image tar, linked where it may
// read it.
const rootlessDebianEnv = "SOCKERLESS_TEST_DEBIAN"

// rootlessOrRerun reruns t unprivileged and returns false, with env's
// variables and the agent; in the rerun it returns true.
func rootlessOrRerun(t *testing.T, env ...string) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return true
	}
	if err := native.Supported(); err != nil {
		t.Skip(err) // not for want of root: the runtime is not built in
	}
	agent, err := agentbin.Install(filepath.Join(unprivileged.Dir(t), "agent"))
	if err != nil {
		t.Fatal(err)
	}
	unprivileged.Rerun(t, append(env, rootlessAgentEnv+"="+agent)...)
	return false
}

// startRootless starts local mode with --runtime native, unprivileged,
// or skips saying why user namespaces cannot be had here.
func startRootless(t *testing.T) (*Instance, *client.Client) {
	t.Helper()
	if err := native.Supported(); err != nil {
		t.Skip(err)
	}
	return startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: filepath.Join(shortTempDir(t), "data"),
		Serialize: true, Runtime: RuntimeNative, EngineAgent: os.Getenv(rootlessAgentEnv),
	})
}

// TestNativeRootless runs local mode's native runtime as an unprivileged
// user: auto chooses it and says it is rootless, containers run as they
// do as root where a user namespace can, and what cannot is refused
// saying so and naming --runtime sandbox.
func TestNativeRootless(t *testing.T) {
	if !rootlessOrRerun(t) {
		return
	}
	inst, cli := startRootless(t)
	ctx := context.Background()
	if inst.Runtime != RuntimeNative || !strings.Contains(inst.RuntimeWhy, "rootless") {
		t.Errorf("runtime %s (%s), want native, rootless", inst.Runtime, inst.RuntimeWhy)
	}
	t.Run("auto chooses rootless native and docker info says so", func(t *testing.T) {
		auto, acli := startWith(t, ctx, Options{
			Socket: filepath.Join(shortTempDir(t), "auto.sock"), DataDir: filepath.Join(shortTempDir(t), "auto"), Runtime: RuntimeAuto,
		})
		if auto.Runtime != RuntimeNative || !strings.HasPrefix(auto.RuntimeWhy, "auto: rootless") {
			t.Errorf("auto chose %s (%s), want native, rootless", auto.Runtime, auto.RuntimeWhy)
		}
		info, err := acli.Info(ctx, client.InfoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if info.Info.DefaultRuntime != RuntimeNative || !slices.Contains(info.Info.SecurityOptions, "name=rootless") {
			t.Errorf("docker info: DefaultRuntime %s, SecurityOptions %v; want native and name=rootless", info.Info.DefaultRuntime, info.Info.SecurityOptions)
		}
	})
	importImage(t, ctx, cli, busyboxRootfs(t), "bb:1")
	bb := func(cmd ...string) *container.Config { return &container.Config{Image: "bb:1", Cmd: cmd} }

	runCases(t, cli, []nativeCase{
		{name: "echo reaches the log", cfg: bb("echo", "hello rootless"), wantStdout: "hello rootless\n"},
		{name: "exit code is main's", cfg: bb("sh", "-c", "exit 3"), wantCode: 3},
		{name: "a signal is 128 plus its number", cfg: bb("sh", "-c", "kill -TERM $$"), wantCode: 143},
		{name: "env reaches main", cfg: withEnv(bb("sh", "-c", "echo $GREETING"), "GREETING=hi"), wantStdout: "hi\n"},
		{name: "--workdir is made and used", cfg: withDir(bb("sh", "-c", "echo $PWD"), "/srv/work"), wantStdout: "/srv/work\n"},
		{name: "main is root in its user namespace", cfg: bb("cat", "/proc/self/uid_map"), wantStdout: fmt.Sprintf("%10d %10d %10d\n", 0, unprivileged.ID, 1)},
		{name: "network none has only loopback", cfg: bb("ls", "/sys/class/net"), hc: &container.HostConfig{NetworkMode: "none"}, wantStdout: "lo\n"},
		{name: "the default bridge is loopback only", cfg: bb("ls", "/sys/class/net"), hc: &container.HostConfig{NetworkMode: "bridge"}, wantStdout: "lo\n"},
		{name: "--memory is discarded, not enforced", cfg: bb("echo", "ran"), hc: &container.HostConfig{Resources: container.Resources{Memory: 64 << 20}}, wantStdout: "ran\n"},
	})

	t.Run("--memory's warning is dockerd's", func(t *testing.T) {
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: bb("true"), HostConfig: &container.HostConfig{Resources: container.Resources{Memory: 64 << 20}}})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true})
		if len(created.Warnings) != 1 || !strings.Contains(created.Warnings[0], "memory limit") || !strings.Contains(created.Warnings[0], "discarded") {
			t.Errorf("warnings %q, want dockerd's memory limit discarded", created.Warnings)
		}
		pids := int64(10)
		updated, err := cli.ContainerUpdate(ctx, created.ID, client.ContainerUpdateOptions{Resources: &container.Resources{PidsLimit: &pids}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(updated.Warnings, func(w string) bool { return strings.Contains(w, "PIDs limit discarded") }) {
			t.Errorf("docker update --pids-limit: warnings %q, want dockerd's PIDs limit discarded", updated.Warnings)
		}
		insp, err := cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if hc := insp.Container.HostConfig; hc.Memory != 0 || (hc.PidsLimit != nil && *hc.PidsLimit > 0) {
			t.Errorf("inspect shows Memory %d, PidsLimit %v: the limits are not discarded", hc.Memory, hc.PidsLimit)
		}
	})
	t.Run("a container starts again", func(t *testing.T) {
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: bb("sh", "-c", "echo run >> /root/runs; cat /root/runs")})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true})
		for range 2 {
			wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
			if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
				t.Fatal(err)
			}
			select {
			case res := <-wait.Result:
				if res.StatusCode != 0 {
					t.Fatalf("exit %d", res.StatusCode)
				}
			case err := <-wait.Error:
				t.Fatal(err)
			}
		}
		if out, _ := logsOf(t, cli, created.ID); out != "run\nrun\nrun\n" {
			t.Errorf("logs of two runs %q, want the first run's line, then both (the layer kept)", out)
		}
	})
	t.Run("stdin reaches main", func(t *testing.T) { testRootlessStdin(t, cli) })
	t.Run("exec, docker cp and -p", func(t *testing.T) { testRootlessRunning(t, cli) })
	t.Run("refused", func(t *testing.T) { testRootlessRefusals(t, cli) })
	t.Run("the docker CLI", func(t *testing.T) { testRootlessCLI(t, inst.DockerHost) })
}

// testRootlessCLI: the real docker CLI, as the unprivileged user, prints
// the discarded limit's warning as it does for rootless dockerd, and
// shows the refusals.
func testRootlessCLI(t *testing.T, host string) {
	bin, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker CLI: ", err)
	}
	for _, tc := range []struct {
		name               string
		args               []string
		wantCode           int
		wantStdout, wantIn string // wantIn: in stderr
	}{
		{name: "-m runs with dockerd's warning", args: []string{"run", "--rm", "-m", "64m", "bb:1", "echo", "hi"}, wantStdout: "hi\n", wantIn: "WARNING: Your kernel does not support memory limit capabilities"},
		{name: "--cpus is refused", args: []string{"run", "--rm", "--cpus", "1", "bb:1", "true"}, wantCode: 125, wantIn: "NanoCPUs can not be set"},
		{name: "the exit code is main's", args: []string{"run", "--rm", "bb:1", "sh", "-c", "exit 9"}, wantCode: 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantCode || (tc.wantStdout != "" && stdout.String() != tc.wantStdout) || !strings.Contains(stderr.String(), tc.wantIn) {
				t.Errorf("docker %s: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr with %q",
					strings.Join(tc.args, " "), code, stdout.String(), stderr.String(), tc.wantCode, tc.wantStdout, tc.wantIn)
			}
		})
	}
}

// testRootlessRunning: a running rootless container answers exec, takes
// and gives files with docker cp, and serves a published port.
func testRootlessRunning(t *testing.T, cli *client.Client) {
	ctx := context.Background()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: "bb:1", Cmd: []string{"busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"}, ExposedPorts: network.PortSet{network.MustParsePort("8080/tcp"): {}}},
		HostConfig: &container.HostConfig{PortBindings: network.PortMap{network.MustParsePort("8080/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	if out, code := execOut(t, cli, created.ID, "sh", "-c", "echo from exec; exit 4"); code != 4 || out != "from exec\n" {
		t.Errorf("exec: %q, exit %d; want from exec, 4", out, code)
	}
	if _, err := cli.CopyToContainer(ctx, created.ID, client.CopyToContainerOptions{DestinationPath: "/tmp", Content: tarOf(t, "note.txt", "copied in\n")}); err != nil {
		t.Fatal(err)
	}
	if out, code := execOut(t, cli, created.ID, "cat", "/tmp/note.txt"); code != 0 || out != "copied in\n" {
		t.Errorf("docker cp in, then cat: %q, exit %d", out, code)
	}
	cp, err := cli.CopyFromContainer(ctx, created.ID, client.CopyFromContainerOptions{SourcePath: "/etc/passwd"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(cp.Content)
	cp.Content.Close()
	if !bytes.Contains(body, []byte("root:x:0:0:")) {
		t.Errorf("docker cp out of /etc/passwd: %q", body)
	}
	insp, err := cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bindings := insp.Container.NetworkSettings.Ports[network.MustParsePort("8080/tcp")]
	if len(bindings) == 0 {
		t.Fatalf("no binding of 8080/tcp: %v", insp.Container.NetworkSettings.Ports)
	}
	url := fmt.Sprintf("http://127.0.0.1:%s/passwd", bindings[0].HostPort)
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			got = err.Error()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got = string(b); strings.Contains(got, "root:x:0:0:") {
			return
		}
	}
	t.Errorf("-p: %s answered %q", url, got)
}

// testRootlessStdin: what the client writes to an attached stdin reaches
// main, whose exit follows its end.
func testRootlessStdin(t *testing.T, cli *client.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{
		Image: "bb:1", Cmd: []string{"sh", "-c", "read line; echo got $line"},
		OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
	att, err := cli.ContainerAttach(ctx, created.ID, client.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer att.Close()
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := att.Conn.Write([]byte("piped\n")); err != nil {
		t.Fatal(err)
	}
	_ = att.CloseWrite()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	if stdout.String() != "got piped\n" {
		t.Errorf("stdout %q, stderr %q; want got piped", stdout.String(), stderr.String())
	}
}

// testRootlessRefusals: what a user namespace cannot give is refused,
// saying why and naming what can.
func testRootlessRefusals(t *testing.T, cli *client.Client) {
	ctx := context.Background()
	holder, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: "bb:1", Cmd: []string{"sleep", "60"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(ctx, holder.ID, client.ContainerRemoveOptions{Force: true})
	if _, err := cli.ContainerStart(ctx, holder.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ContainerPause(ctx, holder.ID, client.ContainerPauseOptions{}); err == nil || !strings.Contains(err.Error(), "--runtime sandbox") {
		t.Errorf("docker pause: %v; want a refusal naming --runtime sandbox", err)
	}
	cases := []struct {
		name    string
		cfg     *container.Config
		hc      *container.HostConfig
		atStart bool // refused by docker start, else by docker create
		want    []string
	}{
		{
			name: "--cpus, as dockerd without the CFS controller", cfg: &container.Config{Image: "bb:1", Cmd: []string{"true"}},
			hc:   &container.HostConfig{Resources: container.Resources{NanoCPUs: 500_000_000}},
			want: []string{"NanoCPUs can not be set"},
		},
		{
			name: "--network container:NAME", cfg: &container.Config{Image: "bb:1", Cmd: []string{"true"}},
			hc: &container.HostConfig{NetworkMode: container.NetworkMode("container:" + holder.ID)}, atStart: true,
			want: []string{"another container's network namespace", "--runtime sandbox", "as root"},
		},
		{
			name: "a user without an ID in the user namespace", cfg: &container.Config{Image: "bb:1", Cmd: []string{"true"}, User: "1000:1000"},
			atStart: true, want: []string{"user 1000:1000 has no ID", "--runtime sandbox"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: tc.cfg, HostConfig: tc.hc})
			if err == nil {
				defer cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true})
				if !tc.atStart {
					t.Fatal("created")
				}
				_, err = cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{})
			}
			if err == nil {
				t.Fatal("started")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestNativeRootlessDebian runs a real Debian image's python3 rootless.
func TestNativeRootlessDebian(t *testing.T) {
	if testing.Short() {
		t.Skip("builds or imports a Debian image")
	}
	if os.Geteuid() == 0 {
		tarball := debimage.Require(t, "bookworm", debianPackages...)
		rootlessOrRerun(t, rootlessDebianEnv+"="+unprivileged.Share(t, tarball))
		return
	}
	_, cli := startRootless(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	importFile(t, ctx, cli, os.Getenv(rootlessDebianEnv), "debian:rootless")
	image := func(cmd ...string) *container.Config {
		return &container.Config{Image: "debian:rootless", Cmd: cmd, Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}}
	}
	runCases(t, cli, []nativeCase{
		{name: "python3 runs", cfg: image("python3", "-c", "print(1)"), wantStdout: "1\n"},
		{name: "python3's exit code is the container's", cfg: image("python3", "-c", "import sys; sys.exit(7)"), wantCode: 7},
		{name: "python3 sees env and workdir", cfg: withDir(withEnv(image("python3", "-c", "import os; print(os.getcwd(), os.environ['X'])"), "X=y"), "/srv"), wantStdout: "/srv y\n"},
	})
}

// nativeCase is a container run to its exit and what it must give.
type nativeCase struct {
	name       string
	cfg        *container.Config
	hc         *container.HostConfig
	wantCode   int64
	wantStdout string // "" is any
}

// runCases runs each case as a subtest.
func runCases(t *testing.T, cli *client.Client, cases []nativeCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run := runNative(t, cli, tc.cfg, tc.hc)
			if run.code != tc.wantCode || (tc.wantStdout != "" && run.stdout != tc.wantStdout) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q", run.code, run.stdout, run.stderr, tc.wantCode, tc.wantStdout)
			}
		})
	}
}

func withEnv(c *container.Config, kv string) *container.Config { c.Env = append(c.Env, kv); return c }

// TestNativeWithoutUserNamespaces: where neither root nor user
// namespaces are to be had, --runtime native fails at startup saying so
// and naming --runtime sandbox, and auto chooses the sandbox, saying why.
func TestNativeWithoutUserNamespaces(t *testing.T) {
	if os.Geteuid() == 0 {
		if err := native.Supported(); err != nil {
			t.Skip(err) // not for want of root: the runtime is not built in
		}
		unprivileged.RerunWithoutUserNS(t)
		return
	}
	if err := native.Supported(); err == nil {
		t.Skip("this process may create user namespaces")
	}
	dir := shortTempDir(t)
	_, err := Start(context.Background(), Options{
		Socket: filepath.Join(dir, "docker.sock"), DataDir: filepath.Join(dir, "data"), Runtime: RuntimeNative,
		Log: slog.New(slog.DiscardHandler),
	})
	if err == nil {
		t.Fatal("local mode started with --runtime native without root or user namespaces")
	}
	t.Logf("--runtime native: %v", err)
	for _, want := range []string{"--runtime native:", "needs root or user namespaces", "--runtime sandbox"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the startup error %q lacks %q", err, want)
		}
	}
	auto, _ := startWith(t, context.Background(), Options{
		Socket: filepath.Join(dir, "auto.sock"), DataDir: filepath.Join(dir, "auto"), Runtime: RuntimeAuto,
	})
	if auto.Runtime != RuntimeSandbox || !strings.HasPrefix(auto.RuntimeWhy, "auto: the native runtime needs root or user namespaces") {
		t.Errorf("auto chose %s (%s), want the sandbox, saying why", auto.Runtime, auto.RuntimeWhy)
	}
	t.Logf("--runtime auto: %s (%s)", auto.Runtime, auto.RuntimeWhy)
}

// logsOf is a container's log, stdout and stderr.
func logsOf(t *testing.T, cli *client.Client, id string) (string, string) {
	t.Helper()
	logs, err := cli.ContainerLogs(context.Background(), id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, logs); err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String()
}
