package localmode

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/testing/debimage"
)

// debianPackages are what the Debian test image holds beyond minbase.
var debianPackages = []string{"bash", "coreutils", "python3"}

// TestNativeDebian runs a real Debian image's binaries on the native
// runtime: python3, bash and coreutils, as dockerd runs them.
func TestNativeDebian(t *testing.T) {
	if testing.Short() {
		t.Skip("builds or imports a Debian image")
	}
	_, cli, _ := nativeOrSkip(t)
	tarball := debimage.Require(t, "bookworm", debianPackages...)
	// Importing and unpacking 220 MB takes minutes on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	importFile(t, ctx, cli, tarball, "debian:native")
	image := func(cmd ...string) *container.Config {
		return &container.Config{Image: "debian:native", Cmd: cmd, Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}}
	}

	runCases(t, cli, []nativeCase{
		{name: "python3 runs", cfg: image("python3", "-c", "print(1)"), wantStdout: "1\n"},
		{name: "python3's exit code is the container's", cfg: image("python3", "-c", "import sys; sys.exit(7)"), wantCode: 7},
		{name: "SIGKILL of main is 137", cfg: image("bash", "-c", "kill -KILL $$"), wantCode: 137},
		{
			// bash expands the glob itself: no child races the count.
			name: "only the container's processes are in /proc", cfg: image("bash", "-c", "a=(/proc/[0-9]*); echo ${#a[@]}"),
			wantStdout: "2\n", // the agent and bash
		},
		{name: "--user runs main as that user", cfg: withUser(image("id", "-u"), "nobody"), wantStdout: "65534\n"},
		{name: "--workdir is made and used", cfg: withDir(image("pwd"), "/srv/work"), wantStdout: "/srv/work\n"},
		{name: "HOME comes from the user's entry", cfg: image("bash", "-c", "echo $HOME"), wantStdout: "/root\n"},
	})

	t.Run("python3 reaches another container's http.server by name", func(t *testing.T) { testPythonByName(t, ctx, cli, image) })

	t.Run("exec, stop, diff and commit", func(t *testing.T) {
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: image("bash", "-c", "touch /tmp/made; rm /etc/debian_version; exec sleep 60")})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
		if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
			t.Fatal(err)
		}
		if out, code := execOut(t, cli, created.ID, "python3", "-c", "import os; print(os.path.exists('/tmp/made'))"); code != 0 || out != "True\n" {
			t.Errorf("exec: %q, exit %d", out, code)
		}
		if _, err := cli.ContainerStop(ctx, created.ID, client.ContainerStopOptions{}); err != nil {
			t.Fatal(err)
		}
		insp, err := cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if insp.Container.State.ExitCode != 143 {
			t.Errorf("exit code after docker stop %d, want 143 (SIGTERM)", insp.Container.State.ExitCode)
		}
		diff, err := cli.ContainerDiff(ctx, created.ID, client.ContainerDiffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(diff.Changes)
		for _, want := range []string{"{C /etc}", "{D /etc/debian_version}", "{C /tmp}", "{A /tmp/made}"} {
			if !strings.Contains(got, want) {
				t.Errorf("diff %s lacks %s", got, want)
			}
		}
		if _, err := cli.ContainerCommit(ctx, created.ID, client.ContainerCommitOptions{Reference: "debian:committed"}); err != nil {
			t.Fatal(err)
		}
		cfg := image("bash", "-c", "ls /tmp/made; ls /etc/debian_version 2>&1 || true")
		cfg.Image = "debian:committed"
		run := runNative(t, cli, cfg, nil)
		if run.code != 0 || !strings.HasPrefix(run.stdout, "/tmp/made\n") || !strings.Contains(run.stdout, "No such file") {
			t.Errorf("the committed image: exit %d, stdout %q, stderr %q", run.code, run.stdout, run.stderr)
		}
	})
}

// testPythonByName: python3's http.server in one container answers
// python3's urllib in another, which finds it by name on a user network.
func testPythonByName(t *testing.T, ctx context.Context, cli *client.Client, image func(...string) *container.Config) {
	if _, err := cli.NetworkCreate(ctx, "pynet", client.NetworkCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer cli.NetworkRemove(context.Background(), "pynet", client.NetworkRemoveOptions{})
	srv, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: "pyserver", Config: image("python3", "-m", "http.server", "-d", "/etc", "8000"),
		HostConfig: &container.HostConfig{NetworkMode: "pynet"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), srv.ID, client.ContainerRemoveOptions{Force: true})
	if _, err := cli.ContainerStart(ctx, srv.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	// The server takes a moment to listen: the client retries.
	fetch := `import time, urllib.request
for i in range(100):
    try:
        print(urllib.request.urlopen("http://pyserver:8000/hostname", timeout=5).read().decode(), end="")
        break
    except OSError as e:
        err = e
        time.sleep(0.1)
else:
    raise SystemExit(err)`
	run := runNative(t, cli, image("python3", "-c", fetch), &container.HostConfig{NetworkMode: "pynet"})
	if run.code != 0 || run.stdout != srv.ID[:12]+"\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want the server's hostname %s", run.code, run.stdout, run.stderr, srv.ID[:12])
	}
}

func withUser(c *container.Config, u string) *container.Config { c.User = u; return c }
func withDir(c *container.Config, d string) *container.Config  { c.WorkingDir = d; return c }

// importFile imports the root filesystem tar at path as ref.
func importFile(t *testing.T, ctx context.Context, cli *client.Client, path, ref string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imp, err := cli.ImageImport(ctx, client.ImageImportSource{Source: f, SourceName: "-"}, ref, client.ImageImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	if _, err := io.Copy(io.Discard, imp); err != nil {
		t.Fatal(err)
	}
}
