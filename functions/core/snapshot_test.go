package core_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state/bolt"
)

// putFile writes one file into a stopped container, as docker cp does.
func (h *harness) putFile(t *testing.T, id, dir, file, body string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: file, Mode: 0o644, Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(tw, body)
	_ = tw.Close()
	rep := h.h.Handle(t.Context(), call.Call{
		Op: call.OpContainerArchive, Version: h.version, Vars: name(id), Query: url.Values{"path": {dir}},
		Header: http.Header{call.MethodHeader: {http.MethodPut}}, Body: buf.Bytes(),
	})
	if rep.Status != http.StatusOK {
		t.Fatalf("archive put: status %d: %s", rep.Status, rep.Body)
	}
}

func TestDiffExportCommit(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "base:1")
	id := h.create(t, "snap", img, nil)
	h.putFile(t, id, "/etc", "added.conf", "x=1\n")

	var changes []container.FilesystemChange
	h.ok(t, req{op: call.OpContainerChanges, vars: name("snap")}, http.StatusOK, &changes)
	want := []container.FilesystemChange{{Path: "/etc", Kind: container.ChangeModify}, {Path: "/etc/added.conf", Kind: container.ChangeAdd}}
	if !slices.Equal(changes, want) {
		t.Errorf("changes %+v, want %+v (runtime files such as /etc/hosts are not changes)", changes, want)
	}

	rep := h.ok(t, req{op: call.OpContainerExport, vars: name("snap")}, http.StatusOK, nil)
	names := tarNames(t, rep.Body)
	for _, n := range []string{"etc/added.conf", "etc/passwd"} {
		if !slices.Contains(names, n) {
			t.Errorf("export lacks %s; has %v", n, names)
		}
	}

	q := url.Values{"container": {"snap"}, "repo": {"committed"}, "tag": {"v1"}, "comment": {"why"}, "author": {"me"}, "changes": {"ENV FROM_CHANGE=1"}}
	var out container.CommitResponse
	h.ok(t, req{op: call.OpImageCommit, query: q, body: container.Config{Env: []string{"FROM_BODY=1"}}}, http.StatusCreated, &out)
	var insp image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("committed:v1")}, http.StatusOK, &insp)
	if insp.ID != out.ID || insp.Author != "me" || len(insp.RootFS.Layers) != 2 {
		t.Errorf("inspect: id %s (commit said %s), author %q, %d layers", insp.ID, out.ID, insp.Author, len(insp.RootFS.Layers))
	}
	for _, e := range []string{"FROM_BODY=1", "FROM_CHANGE=1"} {
		if !slices.Contains(insp.Config.Env, e) {
			t.Errorf("committed env %v lacks %s", insp.Config.Env, e)
		}
	}
	// The commit's parent is the container's image: an API 1.41 client
	// reads it in inspect's Parent, every one in the list's ParentId.
	var old map[string]any
	h.ok(t, req{op: call.OpImageInspect, vars: name("committed:v1"), ver: "1.41"}, http.StatusOK, &old)
	if old["Parent"] != img {
		t.Errorf("inspect for API 1.41: Parent %v, want %s", old["Parent"], img)
	}
	var list []image.Summary
	h.ok(t, req{op: call.OpImageList}, http.StatusOK, &list)
	for _, s := range list {
		if want := map[bool]string{true: img}[s.ID == out.ID]; s.ParentID != want {
			t.Errorf("image %s: ParentId %q, want %q", s.ID, s.ParentID, want)
		}
	}
	var hist []image.HistoryResponseItem
	h.ok(t, req{op: call.OpImageHistory, vars: name("committed:v1")}, http.StatusOK, &hist)
	if len(hist) != 2 || hist[0].Comment != "why" {
		t.Errorf("history %+v, want the commit's entry on top of the import's", hist)
	}

	// A container of the committed image starts with the change.
	id2 := h.create(t, "", "committed:v1", nil)
	h.ok(t, req{op: call.OpContainerChanges, vars: name(id2)}, http.StatusOK, &changes)
	if len(changes) != 0 {
		t.Errorf("a fresh container of the commit has changes %+v", changes)
	}

	wantError(t, h.do(t, req{op: call.OpImageCommit, query: url.Values{"container": {"nosuch"}}}), http.StatusNotFound, "No such container: nosuch")
}

func tarNames(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hdr.Name)
	}
}

// runnerOnly is the real local driver with every optional capability
// hidden: a backend that runs workloads and can do nothing more, as a
// remote one cannot read containers' filesystems.
type runnerOnly struct{ core.Compute }

// TestMissingCapabilitiesAnswerDockersError drives core over a backend
// that is only a runner: what needs a capability it lacks gets Docker's
// error saying the backend cannot, and creating a container needs none.
func TestMissingCapabilitiesAnswerDockersError(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	store, err := bolt.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	drv, err := local.New(context.Background(), local.Config{Dir: filepath.Join(dir, "data"), AgentURL: unreachableAgentURL, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drv.Close(); _ = store.Close() })
	c := core.New(core.Config{Store: store, Compute: runnerOnly{drv}, Images: drv, Secret: []byte("s"), Backend: "remote", Log: log})
	h := &harness{h: call.Serialized(c), version: "1.56"}
	img := h.importImage(t, "base:1")
	id := h.create(t, "cc", img, nil)
	unreachable := "its containers' filesystems are not reachable from the control plane"
	for _, tc := range []struct {
		name   string
		r      req
		status int
		msg    string
	}{
		{"diff", req{op: call.OpContainerChanges, vars: name("cc")}, http.StatusNotImplemented, "docker diff is not supported by the remote backend: " + unreachable},
		{"export", req{op: call.OpContainerExport, vars: name("cc")}, http.StatusNotImplemented, "docker export is not supported by the remote backend: " + unreachable},
		{"commit", req{op: call.OpImageCommit, query: url.Values{"container": {"cc"}}}, http.StatusNotImplemented, "docker commit is not supported by the remote backend: " + unreachable},
		{"volume create", req{op: call.OpVolumeCreate, body: map[string]string{"Name": "data"}}, http.StatusNotImplemented, "volumes are not supported by the remote backend: it has nowhere to keep their data"},
		{"a volume a container names", req{op: call.OpContainerCreate, body: container.CreateRequest{
			Config: &container.Config{Image: img, Cmd: []string{"sh"}}, HostConfig: &container.HostConfig{Binds: []string{"data:/data"}},
		}}, http.StatusNotImplemented, "volumes are not supported by the remote backend: it has nowhere to keep their data"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, h.do(t, tc.r), tc.status, tc.msg) })
	}
	t.Run("docker cp from a container not running", func(t *testing.T) {
		rep := h.h.Handle(t.Context(), call.Call{
			Op: call.OpContainerArchive, Version: h.version, Vars: name("cc"), Query: url.Values{"path": {"/etc/passwd"}},
			Header: http.Header{call.MethodHeader: {http.MethodHead}},
		})
		wantError(t, rep, http.StatusConflict, "container "+id[:12]+" is not running, and the remote backend cannot reach a stopped container's files")
	})
}
