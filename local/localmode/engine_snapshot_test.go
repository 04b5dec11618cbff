package localmode

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// testEngineSnapshot is docker diff, export and commit of a container
// that wrote, changed and deleted files in the engine.
func testEngineSnapshot(t *testing.T, ctx context.Context, cli *client.Client) {
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{
		Image: "bb:1", Cmd: []string{"sh", "-c", "echo new > /tmp/new; echo more >> /etc/passwd; rm /etc/group"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-wait.Result:
		if r.StatusCode != 0 {
			t.Fatalf("exit %d", r.StatusCode)
		}
	case err := <-wait.Error:
		t.Fatal(err)
	}

	t.Run("diff", func(t *testing.T) {
		diff, err := cli.ContainerDiff(ctx, created.ID, client.ContainerDiffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]container.ChangeType{}
		for _, c := range diff.Changes {
			got[c.Path] = c.Kind
		}
		want := map[string]container.ChangeType{
			"/tmp/new": container.ChangeAdd, "/etc/passwd": container.ChangeModify, "/etc/group": container.ChangeDelete,
		}
		for p, k := range want {
			if got[p] != k {
				t.Errorf("%s: kind %v, want %v (changes %+v)", p, got[p], k, diff.Changes)
			}
		}
		for p := range got {
			if strings.HasPrefix(p, "/.sockerless") {
				t.Errorf("the agent's mount point %s is listed", p)
			}
		}
	})

	t.Run("export", func(t *testing.T) {
		rc, err := cli.ContainerExport(ctx, created.ID, client.ContainerExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		files := readTar(t, rc)
		if files["tmp/new"] != "new\n" || !strings.HasSuffix(files["etc/passwd"], "more\n") {
			t.Fatalf("export: tmp/new %q, etc/passwd %q", files["tmp/new"], files["etc/passwd"])
		}
		for _, name := range []string{"etc/group", ".sockerless/agent", "bin/busybox"} {
			if _, ok := files[name]; ok != (name == "bin/busybox") {
				t.Errorf("export has %s: %v", name, ok)
			}
		}
	})

	t.Run("commit", func(t *testing.T) {
		res, err := cli.ContainerCommit(ctx, created.ID, client.ContainerCommitOptions{
			Reference: "committed:1", Comment: "a note", Author: "tester",
			Changes: []string{`CMD ["cat", "/tmp/new"]`, "ENV STAGE=committed"},
		})
		if err != nil {
			t.Fatal(err)
		}
		insp, err := cli.ImageInspect(ctx, "committed:1")
		if err != nil {
			t.Fatal(err)
		}
		if insp.ID != res.ID || insp.Author != "tester" || insp.Config == nil || strings.Join(insp.Config.Cmd, " ") != "cat /tmp/new" {
			t.Fatalf("committed image %s (commit said %s): author %q config %+v", insp.ID, res.ID, insp.Author, insp.Config)
		}
		if env := strings.Join(insp.Config.Env, " "); env != "PATH=/bin STAGE=committed" {
			t.Errorf("committed env %q: the engine container's own settings leaked in", env)
		}
		if len(insp.RootFS.Layers) != 2 {
			t.Errorf("committed layers %v, want the image's and one more", insp.RootFS.Layers)
		}
		layers := saveLayers(t, cli, "committed:1")
		top := layers[len(layers)-1]
		_, agent := top[".sockerless/agent"]
		if top["tmp/new"] != "new\n" || agent {
			t.Errorf("committed layer: tmp/new %q, has the agent's mount point: %v", top["tmp/new"], agent)
		}
		code, stdout, stderr := runToExit(t, cli, &container.Config{Image: "committed:1"})
		if code != 0 || stdout != "new\n" {
			t.Fatalf("run committed image: exit %d stdout %q stderr %q", code, stdout, stderr)
		}
	})
}

// testEngineStats reads a running container's usage through local mode:
// core asks the engine driver, which reads the engine's counters.
func testEngineStats(t *testing.T, ctx context.Context, cli *client.Client, _ string) {
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: "metered", Config: &container.Config{Image: "bb:1", Cmd: []string{"sleep", "30"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true}) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := cli.ContainerStats(ctx, created.ID, client.ContainerStatsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var s container.StatsResponse
		err = json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != created.ID || s.Name != "/metered" {
			t.Fatalf("stats name %q id %q, want /metered %s", s.Name, s.ID, created.ID)
		}
		if s.MemoryStats.Usage > 0 && s.CPUStats.CPUUsage.TotalUsage > 0 && s.PidsStats.Current >= 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine stats of a running container: memory %+v cpu %+v pids %+v", s.MemoryStats, s.CPUStats.CPUUsage, s.PidsStats)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// saveLayers saves ref through local mode and reads its layers' files,
// bottom first.
func saveLayers(t *testing.T, cli *client.Client, ref string) []map[string]string {
	t.Helper()
	rc, err := cli.ImageSave(context.Background(), []string{ref})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	archive := readTar(t, rc)
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal([]byte(archive["manifest.json"]), &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("saved manifest %q: %v", archive["manifest.json"], err)
	}
	var out []map[string]string
	for _, l := range manifest[0].Layers {
		out = append(out, readTar(t, strings.NewReader(archive[l])))
	}
	return out
}

// readTar reads a tar's regular files by name ("./" trimmed).
func readTar(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(h.Name, "./")
		if h.Typeflag != tar.TypeReg {
			out[name] = fmt.Sprintf("<type %c>", h.Typeflag)
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
}
