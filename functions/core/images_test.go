package core_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/sockerless/sockerless/functions/call"
)

func TestImageImportInspect(t *testing.T) {
	h := newHarness(t)
	id := h.importImage(t, "app:v1",
		"ENV A=1", `CMD ["/bin/sh","-c","echo hi"]`, `ENTRYPOINT ["/entry"]`,
		"WORKDIR /srv", "USER nobody", "LABEL team=core", "EXPOSE 8080")

	tests := []struct {
		name   string
		ref    string
		status int
		msg    string
	}{
		{name: "by tag", ref: "app:v1", status: http.StatusOK},
		{name: "by full id", ref: id, status: http.StatusOK},
		{name: "by id without sha256:", ref: strings.TrimPrefix(id, "sha256:"), status: http.StatusOK},
		{name: "by short id", ref: id[7:19], status: http.StatusOK},
		{name: "by fully qualified name", ref: "docker.io/library/app:v1", status: http.StatusOK},
		{name: "repository without the tag means latest", ref: "app", status: http.StatusNotFound, msg: "No such image: app:latest"},
		{name: "unknown", ref: "nosuch:1", status: http.StatusNotFound, msg: "No such image: nosuch:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpImageInspect, vars: name(tt.ref)})
			if tt.status != http.StatusOK {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			if rep.Status != http.StatusOK {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			var got image.InspectResponse
			mustJSON(t, rep.Body, &got)
			if got.ID != id || !slices.Equal(got.RepoTags, []string{"app:v1"}) {
				t.Errorf("got %s %v, want %s [app:v1]", got.ID, got.RepoTags, id)
			}
			if got.Os != "linux" || got.Architecture != "amd64" || got.RootFS.Type != "layers" || len(got.RootFS.Layers) != 1 {
				t.Errorf("platform/rootfs: %s/%s %+v", got.Os, got.Architecture, got.RootFS)
			}
			c := got.Config
			if c == nil {
				t.Fatal("no Config")
			}
			if !slices.Equal(c.Env, []string{"A=1"}) || !slices.Equal(c.Cmd, []string{"/bin/sh", "-c", "echo hi"}) ||
				!slices.Equal(c.Entrypoint, []string{"/entry"}) || c.WorkingDir != "/srv" || c.User != "nobody" ||
				c.Labels["team"] != "core" {
				t.Errorf("Config does not carry the changes: %+v", c)
			}
			if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
				t.Errorf("ExposedPorts %v lacks 8080/tcp", c.ExposedPorts)
			}
			if got.RepoDigests == nil {
				t.Error("RepoDigests is null; Docker sends []")
			}
		})
	}

	t.Run("import with a bad change", func(t *testing.T) {
		rep := h.do(t, req{op: call.OpImagePull, query: url.Values{"fromSrc": {"-"}, "changes": {"RUN rm -rf /"}}, body: rootfsTar(t)})
		wantErrorPrefix(t, rep, http.StatusBadRequest, `import: invalid change "RUN rm -rf /"`)
	})
	t.Run("import from a URL", func(t *testing.T) {
		rep := h.do(t, req{op: call.OpImagePull, query: url.Values{"fromSrc": {"http://example.com/x.tar"}}})
		wantError(t, rep, http.StatusNotImplemented,
			"importing from a URL is not supported: download the file and pipe it to `docker import - NAME`")
	})
}

func TestImageTagListHistory(t *testing.T) {
	h := newHarness(t)
	id := h.importImage(t, "app:v1")
	dangling := h.importImage(t, "")

	tag := func(repo, tag string) call.Reply {
		return h.do(t, req{op: call.OpImageTag, vars: name("app:v1"), query: url.Values{"repo": {repo}, "tag": {tag}}})
	}
	t.Run("tag", func(t *testing.T) {
		for _, r := range [][2]string{{"app", "v2"}, {"my/repo", ""}} {
			if rep := tag(r[0], r[1]); rep.Status != http.StatusCreated {
				t.Fatalf("tag %v: %d %s", r, rep.Status, rep.Body)
			}
		}
		var got image.InspectResponse
		h.ok(t, req{op: call.OpImageInspect, vars: name("my/repo")}, http.StatusOK, &got)
		want := []string{"app:v1", "app:v2", "my/repo:latest"}
		if got.ID != id || !slices.Equal(got.RepoTags, want) {
			t.Errorf("after tagging: %s %v, want %s %v", got.ID, got.RepoTags, id, want)
		}
	})
	t.Run("tag errors", func(t *testing.T) {
		wantError(t, h.do(t, req{op: call.OpImageTag, vars: name("nosuch"), query: url.Values{"repo": {"x"}}}),
			http.StatusNotFound, "No such image: nosuch:latest")
		wantError(t, tag("", "v3"), http.StatusBadRequest, "repository name must have at least one component")
		wantErrorPrefix(t, tag("UPPER", "v3"), http.StatusBadRequest, "invalid reference format")
	})

	tests := []struct {
		name   string
		query  url.Values
		want   []string // ids
		status int
		msg    string
	}{
		{name: "all", want: []string{id, dangling}},
		{name: "reference by repository", query: filterQuery(map[string][]string{"reference": {"app"}}), want: []string{id}},
		{name: "reference with tag", query: filterQuery(map[string][]string{"reference": {"app:v2"}}), want: []string{id}},
		{name: "reference glob", query: filterQuery(map[string][]string{"reference": {"my/*"}}), want: []string{id}},
		{name: "reference without a match", query: filterQuery(map[string][]string{"reference": {"app:v9"}}), want: []string{}},
		{name: "legacy filter parameter", query: url.Values{"filter": {"my/repo"}}, want: []string{id}},
		{name: "dangling=true", query: filterQuery(map[string][]string{"dangling": {"true"}}), want: []string{dangling}},
		{name: "dangling=false", query: filterQuery(map[string][]string{"dangling": {"false"}}), want: []string{id}},
		{name: "invalid filter key", query: filterQuery(map[string][]string{"status": {"x"}}),
			status: http.StatusBadRequest, msg: "invalid filter 'status'"},
	}
	for _, tt := range tests {
		t.Run("list "+tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpImageList, query: tt.query})
			if tt.status != 0 {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			var got []image.Summary
			if rep.Status != http.StatusOK {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			mustJSON(t, rep.Body, &got)
			ids := []string{}
			for _, s := range got {
				ids = append(ids, s.ID)
				if s.RepoTags == nil {
					t.Errorf("%s: RepoTags is null; Docker sends []", s.ID)
				}
			}
			// Newest first, but two imports in one second tie.
			want := slices.Clone(tt.want)
			slices.Sort(ids)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("ids %v, want %v", ids, want)
			}
		})
	}

	t.Run("history", func(t *testing.T) {
		var got []image.HistoryResponseItem
		h.ok(t, req{op: call.OpImageHistory, vars: name("app:v1")}, http.StatusOK, &got)
		if len(got) != 1 {
			t.Fatalf("history %+v, want one entry for one imported layer", got)
		}
		e := got[0]
		if e.ID != id || !slices.Equal(e.Tags, []string{"app:v1", "app:v2", "my/repo:latest"}) ||
			e.Comment != "Imported from -" || e.Size <= 0 || e.Created == 0 {
			t.Errorf("history entry %+v", e)
		}
		wantError(t, h.do(t, req{op: call.OpImageHistory, vars: name("nosuch:1")}), http.StatusNotFound, "No such image: nosuch:1")
	})
}

func TestImageRemove(t *testing.T) {
	h := newHarness(t)
	id := h.importImage(t, "app:v1")
	h.ok(t, req{op: call.OpImageTag, vars: name("app:v1"), query: url.Values{"repo": {"app"}, "tag": {"v2"}}}, http.StatusCreated, nil)
	user := h.create(t, "user", "app:v1", nil)
	free := h.importImage(t, "free:1")
	short := func(s string) string { return strings.TrimPrefix(s, "sha256:")[:12] }

	// In order: each case sees what the ones before it removed.
	tests := []struct {
		name   string
		ref    string
		force  bool
		status int
		msg    string
		want   []image.DeleteResponse
	}{
		{name: "one of two tags only untags", ref: "app:v2", status: http.StatusOK,
			want: []image.DeleteResponse{{Untagged: "app:v2"}}},
		{name: "last tag of an image a container uses", ref: "app:v1", status: http.StatusConflict,
			msg: `conflict: unable to remove repository reference "app:v1" (must force) - container ` + short(user) + " is using its referenced image " + short(id)},
		{name: "by id, used by a container", ref: id, status: http.StatusConflict,
			msg: "conflict: unable to delete " + short(id) + " (must be forced) - image is being used by stopped container " + short(user)},
		{name: "forced", ref: "app:v1", force: true, status: http.StatusOK,
			want: []image.DeleteResponse{{Untagged: "app:v1"}, {Deleted: id}}},
		{name: "unused image by name", ref: "free:1", status: http.StatusOK,
			want: []image.DeleteResponse{{Untagged: "free:1"}, {Deleted: free}}},
		{name: "gone", ref: "free:1", status: http.StatusNotFound, msg: "No such image: free:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			if tt.force {
				q.Set("force", "1")
			}
			rep := h.do(t, req{op: call.OpImageRemove, vars: name(tt.ref), query: q})
			if tt.msg != "" {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			var got []image.DeleteResponse
			if rep.Status != tt.status {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			mustJSON(t, rep.Body, &got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("reply %+v, want %+v", got, tt.want)
			}
		})
	}
	wantError(t, h.do(t, req{op: call.OpImageInspect, vars: name(id)}), http.StatusNotFound, "No such image: "+id)
	// The container keeps the id of the image forced away, as in Docker.
	if got := h.inspect(t, user); got.Image != id {
		t.Errorf("container image %q, want %q", got.Image, id)
	}
}

func TestImagePrune(t *testing.T) {
	h := newHarness(t)
	tagged := h.importImage(t, "keep:1")
	unused := h.importImage(t, "")
	used := h.importImage(t, "")
	h.create(t, "", used, nil)

	var rep image.PruneReport
	h.ok(t, req{op: call.OpImagePrune}, http.StatusOK, &rep)
	if !slices.Equal(rep.ImagesDeleted, []image.DeleteResponse{{Deleted: unused}}) {
		t.Errorf("pruned %+v, want only the unused dangling image %s", rep.ImagesDeleted, unused)
	}
	if rep.SpaceReclaimed == 0 {
		t.Error("SpaceReclaimed is 0")
	}
	for _, keep := range []string{tagged, used} {
		h.ok(t, req{op: call.OpImageInspect, vars: name(keep)}, http.StatusOK, nil)
	}
	wantError(t, h.do(t, req{op: call.OpImagePrune, query: filterQuery(map[string][]string{"reference": {"x"}})}),
		http.StatusBadRequest, "invalid filter 'reference'")
}

func TestImageSaveLoad(t *testing.T) {
	h := newHarness(t)
	id := h.importImage(t, "app:v1", "ENV A=1", `CMD ["/bin/true"]`)

	rep := h.ok(t, req{op: call.OpImageSave, query: url.Values{"names": {"app:v1"}}}, http.StatusOK, nil)
	if ct := rep.Header.Get("Content-Type"); ct != "application/x-tar" {
		t.Errorf("save Content-Type %q", ct)
	}
	archive := rep.Body
	single := h.ok(t, req{op: call.OpImageSave, vars: name("app:v1")}, http.StatusOK, nil).Body
	if !bytes.Equal(single, archive) {
		t.Error("GET /images/app:v1/get and /images/get?names=app:v1 differ")
	}

	h.ok(t, req{op: call.OpImageRemove, vars: name("app:v1")}, http.StatusOK, nil)
	wantError(t, h.do(t, req{op: call.OpImageInspect, vars: name("app:v1")}), http.StatusNotFound, "No such image: app:v1")

	rep = h.ok(t, req{op: call.OpImageLoad, body: archive}, http.StatusOK, nil)
	msgs := jsonLines(t, rep.Body)
	if len(msgs) != 1 || msgs[0].Stream != "Loaded image: app:v1\n" {
		t.Errorf("load progress %q, want one \"Loaded image: app:v1\"", rep.Body)
	}
	var got image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("app:v1")}, http.StatusOK, &got)
	if got.ID != id || !slices.Equal(got.Config.Env, []string{"A=1"}) || !slices.Equal(got.Config.Cmd, []string{"/bin/true"}) {
		t.Errorf("loaded %s %+v, want %s with the saved config", got.ID, got.Config, id)
	}
	// The loaded image is usable.
	h.create(t, "", "app:v1", func(r *container.CreateRequest) { r.Config.Cmd = nil })

	t.Run("errors", func(t *testing.T) {
		wantError(t, h.do(t, req{op: call.OpImageSave, query: url.Values{"names": {"nosuch:1"}}}), http.StatusNotFound, "No such image: nosuch:1")
		wantError(t, h.do(t, req{op: call.OpImageSave}), http.StatusBadRequest, "no images specified: set names")
		// As dockerd: 200, and the error in the stream.
		bad := h.ok(t, req{op: call.OpImageLoad, body: []byte("not a tar")}, http.StatusOK, nil)
		if lines := jsonLines(t, bad.Body); len(lines) != 1 || lines[0].Error == nil || !strings.HasPrefix(lines[0].Error.Message, "load: ") ||
			!bytes.Contains(bad.Body, []byte(`"error":"load: `)) {
			t.Errorf("load of a non-archive: %s, want one error line", bad.Body)
		}
	})
}

// jsonLines decodes a Docker progress body.
func jsonLines(t *testing.T, body []byte) []jsonstream.Message {
	t.Helper()
	var out []jsonstream.Message
	dec := json.NewDecoder(bytes.NewReader(body))
	for dec.More() {
		var m jsonstream.Message
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("progress body %q: %v", body, err)
		}
		out = append(out, m)
	}
	return out
}

func TestImageTagMovesToTheNewImage(t *testing.T) {
	h := newHarness(t)
	old := h.importImage(t, "app:v1")
	fresh := h.importImage(t, "app:v1")
	if old == fresh {
		t.Fatal("two imports gave the same id: their Created times should differ")
	}
	var got image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("app:v1")}, http.StatusOK, &got)
	if got.ID != fresh {
		t.Errorf("app:v1 is %s, want the newer import %s", got.ID, fresh)
	}
	h.ok(t, req{op: call.OpImageInspect, vars: name(old)}, http.StatusOK, &got)
	if len(got.RepoTags) != 0 {
		t.Errorf("the older image kept tags %v; it should be dangling", got.RepoTags)
	}
	var list []image.Summary
	h.ok(t, req{op: call.OpImageList, query: filterQuery(map[string][]string{"dangling": {"true"}})}, http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != old {
		t.Errorf("dangling images %+v, want only %s", list, old)
	}
}
