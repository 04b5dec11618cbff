package localmode

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestEngineRuntime runs local mode on a real dockerd and drives it with
// the moby client: the containers' processes are the image's real
// binaries, wrapped by the agent.
func TestEngineRuntime(t *testing.T) {
	host, rootfs := engineOrSkip(t)
	sock := filepath.Join(shortTempDir(t), "docker.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	inst, cli := startWith(t, ctx, Options{
		Socket: sock, DataDir: filepath.Join(shortTempDir(t), "data"), Serialize: true,
		Runtime: RuntimeEngine, EngineHost: host,
	})

	body := importImage(t, ctx, cli, rootfs, "bb:1")
	if !bytes.Contains(body, []byte("sha256:")) {
		t.Fatalf("import reply has no image ID: %s", body)
	}

	t.Run("image config, save and load", func(t *testing.T) {
		insp, err := cli.ImageInspect(ctx, "bb:1")
		if err != nil {
			t.Fatal(err)
		}
		if insp.Config == nil || strings.Join(insp.Config.Cmd, " ") != "sh" || strings.Join(insp.Config.Env, " ") != "PATH=/bin" || len(insp.RootFS.Layers) != 1 {
			t.Fatalf("image as core recorded it: config %+v rootfs %+v", insp.Config, insp.RootFS)
		}
		saved, err := cli.ImageSave(ctx, []string{"bb:1"})
		if err != nil {
			t.Fatal(err)
		}
		archive, err := io.ReadAll(saved)
		saved.Close()
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := cli.ImageLoad(ctx, bytes.NewReader(archive))
		if err != nil {
			t.Fatal(err)
		}
		reply, _ := io.ReadAll(loaded)
		loaded.Close()
		if !bytes.Contains(reply, []byte("bb:1")) {
			t.Fatalf("load reply does not name bb:1: %s", reply)
		}
	})

	t.Run("pull", func(t *testing.T) {
		ref := pushTestImage(t)
		pull(t, cli, ref)
		insp, err := cli.ImageInspect(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if insp.Config == nil || insp.Config.WorkingDir != "/root" || len(insp.RepoDigests) != 1 {
			t.Fatalf("pulled image: config %+v digests %v", insp.Config, insp.RepoDigests)
		}
	})

	t.Run("exit code and logs", func(t *testing.T) {
		code, stdout, stderr := runToExit(t, cli, &container.Config{Image: "bb:1", Cmd: []string{"sh", "-c", "echo hi; echo err >&2; exit 3"}})
		if code != 3 || stdout != "hi\n" || stderr != "err\n" {
			t.Fatalf("got exit %d stdout %q stderr %q, want 3 %q %q", code, stdout, stderr, "hi\n", "err\n")
		}
		// The process ran in the engine, not the sandbox.
		eng, err := client.New(client.WithHost(host), client.WithAPIVersionNegotiation())
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		list, err := eng.ContainerList(ctx, client.ContainerListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Items[0].Labels["sockerless.id"] == "" {
			t.Fatalf("engine containers: %+v", list.Items)
		}
		// The agent exits with main's code once the edge has it.
		res := eng.ContainerWait(ctx, list.Items[0].ID, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
		select {
		case r := <-res.Result:
			if r.StatusCode != 3 {
				t.Fatalf("engine container exited %d, want 3", r.StatusCode)
			}
		case err := <-res.Error:
			t.Fatal(err)
		}
	})

	t.Run("restart keeps files and logs", func(t *testing.T) {
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{
			Image: "bb:1", Cmd: []string{"sh", "-c", "echo run >> /tmp/runs; cat /tmp/runs"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
			if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
				t.Fatal(err)
			}
			select {
			case <-wait.Result:
			case err := <-wait.Error:
				t.Fatal(err)
			}
		}
		logs, err := cli.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true})
		if err != nil {
			t.Fatal(err)
		}
		defer logs.Close()
		var stdout bytes.Buffer
		if _, err := stdcopy.StdCopy(&stdout, io.Discard, logs); err != nil {
			t.Fatal(err)
		}
		if got, want := stdout.String(), "run\nrun\nrun\n"; got != want {
			t.Fatalf("logs after two starts: %q, want %q", got, want)
		}
		// The diff covers both runs: the file the first made is added.
		diff, err := cli.ContainerDiff(ctx, created.ID, client.ContainerDiffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(diff.Changes); got != "[{C /tmp} {A /tmp/runs}]" {
			t.Fatalf("diff after two starts: %s", got)
		}
		// Removing the container removes every image that carried its
		// filesystem from one start to the next.
		if _, err := cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{}); err != nil {
			t.Fatal(err)
		}
		eng, err := client.New(client.WithHost(host), client.WithAPIVersionNegotiation())
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		left, err := eng.ImageList(ctx, client.ImageListOptions{All: true, Filters: make(client.Filters).Add("label", "sockerless.id="+created.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(left.Items) != 0 {
			t.Fatalf("images of the removed container left in the engine: %+v", left.Items)
		}
	})

	t.Run("cp before start, exec, stop", func(t *testing.T) {
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: "bb:1", Cmd: []string{"sleep", "60"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.CopyToContainer(ctx, created.ID, client.CopyToContainerOptions{DestinationPath: "/tmp", Content: tarOf(t, "note.txt", "copied in\n")}); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
			t.Fatal(err)
		}
		out, code := execOut(t, cli, created.ID, "cat", "/tmp/note.txt")
		if code != 0 || out != "copied in\n" {
			t.Fatalf("exec cat: exit %d output %q", code, out)
		}
		if _, code := execOut(t, cli, created.ID, "sh", "-c", "echo made > /tmp/made; exit 5"); code != 5 {
			t.Fatalf("exec exit code %d, want 5", code)
		}
		if _, err := cli.ContainerStop(ctx, created.ID, client.ContainerStopOptions{}); err != nil {
			t.Fatal(err)
		}
		insp, err := cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if insp.Container.State.Running {
			t.Fatal("container still running after stop")
		}
		// The stopped container's files come from the engine container.
		cp, err := cli.CopyFromContainer(ctx, created.ID, client.CopyFromContainerOptions{SourcePath: "/tmp/made"})
		if err != nil {
			t.Fatal(err)
		}
		defer cp.Content.Close()
		if got := untarOne(t, cp.Content); got != "made\n" {
			t.Fatalf("cp from the stopped container: %q", got)
		}
		if _, err := cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("diff, export, commit", func(t *testing.T) { testEngineSnapshot(t, ctx, cli) })
	t.Run("build", func(t *testing.T) { testEngineBuild(t, ctx, cli, host) })
	t.Run("build progress streams", func(t *testing.T) { testEngineBuildStreams(t, ctx, cli) })
	t.Run("stats", func(t *testing.T) { testEngineStats(t, ctx, cli, host) })
	t.Run("user", func(t *testing.T) { testEngineUser(t, ctx, cli) })

	// Closing local mode stops what it started: those agents' edge dies
	// with it.
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: "bb:1", Cmd: []string{"sleep", "60"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := inst.Close(ctx); err != nil {
		t.Fatal(err)
	}
	eng, err := client.New(client.WithHost(host), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	list, err := eng.ContainerList(ctx, client.ContainerListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Fatalf("engine containers still running after close: %+v", list.Items)
	}
}

// execOut runs an exec to its end and returns its stdout and exit code.
func execOut(t *testing.T, cli *client.Client, id string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ex, err := cli.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: args, AttachStdout: true, AttachStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	att, err := cli.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer att.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil {
		t.Fatal(err)
	}
	for {
		insp, err := cli.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !insp.Running {
			return stdout.String(), insp.ExitCode
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func tarOf(t *testing.T, name, content string) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(tw, content)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func untarOne(t *testing.T, r io.Reader) string {
	t.Helper()
	tr := tar.NewReader(r)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := io.Copy(&b, tr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
