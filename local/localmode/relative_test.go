package localmode

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestEngineRelativeDataDir starts the engine runtime the way `make run`
// does, with a relative --data: a named volume must still mount, which
// needs an absolute bind source on the engine.
func TestEngineRelativeDataDir(t *testing.T) {
	host, rootfs := engineOrSkip(t)
	dir := shortTempDir(t)
	// The agent is built here, where the workspace is, before leaving it.
	agent := filepath.Join(dir, "agent")
	build := exec.Command("go", "build", "-trimpath", "-o", agent, "github.com/sockerless/sockerless/agent/cmd/agent")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the agent: %v\n%s", err, out)
	}
	t.Chdir(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, cli := startWith(t, ctx, Options{
		Socket: "docker.sock", DataDir: "data", Runtime: RuntimeEngine, EngineHost: host, EngineAgent: agent,
	})
	importImage(t, ctx, cli, rootfs, "bb:1")
	code, stdout, stderr := runToExitWith(t, cli, &container.Config{Image: "bb:1", Cmd: []string{"sh", "-c", "echo kept > /v/f; cat /v/f"}},
		&container.HostConfig{Binds: []string{"named:/v"}})
	if code != 0 || stdout != "kept\n" {
		t.Fatalf("named volume under a relative data dir: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

// TestDockerHostIsAbsolute: a relative --socket (make run's default
// without XDG_RUNTIME_DIR) still yields a DOCKER_HOST that works from
// any directory.
func TestDockerHostIsAbsolute(t *testing.T) {
	dir := shortTempDir(t)
	t.Chdir(dir)
	inst, cli := startWith(t, context.Background(), Options{Socket: "docker.sock", DataDir: "data"})
	want := "unix://" + filepath.Join(dir, "docker.sock")
	if inst.DockerHost != want {
		t.Fatalf("DockerHost %q, want %q", inst.DockerHost, want)
	}
	t.Chdir(t.TempDir())
	if _, err := cli.Ping(context.Background(), client.PingOptions{}); err != nil {
		t.Fatalf("ping from another directory: %v", err)
	}
}
