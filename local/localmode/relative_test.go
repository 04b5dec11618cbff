package localmode

import (
	"bytes"
	"context"
	"io"
	"log/slog"
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
	inst, err := Start(ctx, Options{
		Socket: "docker.sock", DataDir: "data", Runtime: RuntimeEngine, EngineHost: host, EngineAgent: agent,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close(context.Background()) })
	cli, err := client.New(client.WithHost(inst.DockerHost))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	imp, err := cli.ImageImport(ctx, client.ImageImportSource{Source: bytes.NewReader(rootfs), SourceName: "-"}, "bb:1",
		client.ImageImportOptions{Changes: []string{"ENV PATH=/bin", "CMD [\"sh\"]"}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, imp)
	imp.Close()
	code, stdout, stderr := runToExitWith(t, cli, &container.Config{Image: "bb:1", Cmd: []string{"sh", "-c", "echo kept > /v/f; cat /v/f"}},
		&container.HostConfig{Binds: []string{"named:/v"}})
	if code != 0 || stdout != "kept\n" {
		t.Fatalf("named volume under a relative data dir: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}
