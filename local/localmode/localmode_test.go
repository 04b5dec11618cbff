package localmode

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// start runs local mode in-process with the envelope serialized on every
// call, and returns an SDK client for it.
func start(t *testing.T, dataDir string) (*Instance, *client.Client) {
	t.Helper()
	return startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: dataDir, Serialize: true,
	})
}

// startWith runs local mode in-process with opts (logging discarded
// unless opts say otherwise; the sandbox runtime unless they name
// another, never auto's choice, which depends on the machine), closes it
// when the test ends, and returns an SDK client for it.
func startWith(tb testing.TB, ctx context.Context, opts Options) (*Instance, *client.Client) {
	tb.Helper()
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Runtime == "" {
		opts.Runtime = RuntimeSandbox
	}
	inst, err := Start(ctx, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = inst.Close(context.Background()) })
	cli, err := client.New(client.WithHost(inst.DockerHost))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cli.Close() })
	return inst, cli
}

// importImage imports rootfs as ref with busybox's PATH and sh as its
// command, and returns the import's reply.
func importImage(t *testing.T, ctx context.Context, cli *client.Client, rootfs []byte, ref string) []byte {
	t.Helper()
	imp, err := cli.ImageImport(ctx, client.ImageImportSource{Source: bytes.NewReader(rootfs), SourceName: "-"}, ref,
		client.ImageImportOptions{Changes: []string{"ENV PATH=/bin", "CMD [\"sh\"]"}})
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	body, err := io.ReadAll(imp)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// shortTempDir keeps unix socket paths under the 108-byte limit.
func shortTempDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "sl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func pushTestImage(t *testing.T) string {
	reg := registrytest.Start(t)
	files := registrytest.BaseFiles()
	files["etc/motd"] = "hello from the image\n"
	img := registrytest.Image(t, files, v1.Config{
		Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMAGE_VAR=from-image"},
		Cmd: []string{"sh"}, WorkingDir: "/root",
	})
	return reg.Push(t, "test/base:1", img)
}

func pull(t *testing.T, cli *client.Client, ref string) {
	t.Helper()
	rc, err := cli.ImagePull(context.Background(), ref, client.ImagePullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, _ := io.ReadAll(rc)
	if !bytes.Contains(body, []byte("Status: Downloaded newer image")) {
		t.Fatalf("pull progress lacks the final status:\n%s", body)
	}
}

// runToExit creates, starts and waits for a container, returning its
// exit code and its logs.
func runToExit(t *testing.T, cli *client.Client, cfg *container.Config) (int64, string, string) {
	t.Helper()
	return runToExitWith(t, cli, cfg, nil)
}

// runToExitWith is runToExit with a host config (binds, network).
func runToExitWith(t *testing.T, cli *client.Client, cfg *container.Config, hc *container.HostConfig) (int64, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc})
	if err != nil {
		t.Fatal(err)
	}
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	var code int64
	select {
	case res := <-wait.Result:
		code = res.StatusCode
	case err := <-wait.Error:
		t.Fatal(err)
	}
	logs, err := cli.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, logs); err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestRunThroughSerializedEnvelope(t *testing.T) {
	_, cli := start(t, t.TempDir())
	ref := pushTestImage(t)
	pull(t, cli, ref)
	tests := []struct {
		name       string
		cfg        container.Config
		wantCode   int64
		wantStdout string
		wantStderr string
	}{
		{"exit code propagates", container.Config{Cmd: []string{"sh", "-c", "exit 3"}}, 3, "", ""},
		{"image env and workdir apply", container.Config{Cmd: []string{"sh", "-c", `echo "$IMAGE_VAR $(pwd)"`}}, 0, "from-image /root\n", ""},
		{"stderr stays apart", container.Config{Cmd: []string{"sh", "-c", "echo out; echo err >&2"}}, 0, "out\n", "err\n"},
		{"image files are visible", container.Config{Cmd: []string{"cat", "/etc/motd"}}, 0, "hello from the image\n", ""},
		{"env override", container.Config{Env: []string{"IMAGE_VAR=mine"}, Cmd: []string{"sh", "-c", "echo $IMAGE_VAR"}}, 0, "mine\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Image = ref
			code, out, errOut := runToExit(t, cli, &tt.cfg)
			if code != tt.wantCode || out != tt.wantStdout || errOut != tt.wantStderr {
				t.Errorf("got code %d stdout %q stderr %q; want %d %q %q", code, out, errOut, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	data := t.TempDir()
	ref := pushTestImage(t)
	inst, cli := start(t, data)
	pull(t, cli, ref)
	ctx := context.Background()
	if _, err := cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	code, _, _ := runToExit(t, cli, &container.Config{Image: ref, Cmd: []string{"sh", "-c", "echo kept; exit 4"}})
	if code != 4 {
		t.Fatalf("exit code %d, want 4", code)
	}
	if err := inst.Close(ctx); err != nil {
		t.Fatal(err)
	}

	_, cli = start(t, data)
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || !strings.Contains(list.Items[0].Status, "Exited (4)") {
		t.Fatalf("after restart: containers %+v", list.Items)
	}
	if _, err := cli.ImageInspect(ctx, ref); err != nil {
		t.Fatalf("image lost on restart: %v", err)
	}
	if _, err := cli.VolumeInspect(ctx, "keep", client.VolumeInspectOptions{}); err != nil {
		t.Fatalf("volume lost on restart: %v", err)
	}
}
