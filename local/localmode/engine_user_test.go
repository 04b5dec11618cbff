package localmode

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// testEngineUser proves a --user container on the engine runtime runs
// its main process and execs as that user, while docker cp writes as
// root, as dockerd does (act copies its files into /var/run/act, a
// root-owned volume, of a job container with options --user 100:101).
func testEngineUser(t *testing.T, ctx context.Context, cli *client.Client) {
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: "bb:1", User: "100:101", Cmd: []string{"sh", "-c", "echo main-uid=$(id -u); sleep 60"}},
		HostConfig: &container.HostConfig{Binds: []string{"engine-user-vol:/var/run/act"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.CopyToContainer(ctx, created.ID, client.CopyToContainerOptions{DestinationPath: "/var/run/act", Content: tarOf(t, "workflow/event.json", "{}\n")}); err != nil {
		t.Fatalf("docker cp into a root-owned volume of a --user container: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, code := execOut(t, cli, created.ID, "sh", "-c", "id -u; id -g; cat /var/run/act/workflow/event.json")
		logs := mainOutput(t, ctx, cli, created.ID)
		if code == 0 && out == "100\n101\n{}\n" && logs == "main-uid=100\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("exec exited %d with %q, want uid 100, gid 101 and the copied file; main wrote %q, want its uid 100", code, out, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mainOutput is what the container's main process wrote so far.
func mainOutput(t *testing.T, ctx context.Context, cli *client.Client, id string) string {
	t.Helper()
	logs, err := cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, logs); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
