package core_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/image"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

func TestImagePull(t *testing.T) {
	reg := registrytest.Start(t)
	img, err := registrytest.NewImage(v1.Config{Cmd: []string{"/bin/sh"}, Env: []string{"PATH=/bin"}},
		registrytest.BaseFiles(), map[string]string{"app/run": "echo hi\n"})
	if err != nil {
		t.Fatal(err)
	}
	reg.Push(t, "test/app:v1", img)
	repo := reg.Host() + "/test/app"
	h := newHarness(t)

	pull := func(from, tag string) call.Reply {
		return h.do(t, req{op: call.OpImagePull, query: url.Values{"fromImage": {from}, "tag": {tag}}})
	}
	statuses := func(t *testing.T, rep call.Reply) []string {
		t.Helper()
		if rep.Status != http.StatusOK {
			t.Fatalf("pull: status %d: %s", rep.Status, rep.Body)
		}
		var out []string
		for _, m := range jsonLines(t, rep.Body) {
			out = append(out, m.Status)
		}
		return out
	}

	t.Run("pull", func(t *testing.T) {
		got := statuses(t, pull(repo, "v1"))
		for _, want := range []string{"Pull complete", "Status: Downloaded newer image for " + repo + ":v1"} {
			if !slices.Contains(got, want) {
				t.Errorf("progress %q lacks %q", got, want)
			}
		}
		var ii image.InspectResponse
		h.ok(t, req{op: call.OpImageInspect, vars: name(repo + ":v1")}, http.StatusOK, &ii)
		if !slices.Equal(ii.RepoTags, []string{repo + ":v1"}) || len(ii.RepoDigests) != 1 ||
			!strings.HasPrefix(ii.RepoDigests[0], repo+"@sha256:") || !slices.Equal(ii.Config.Cmd, []string{"/bin/sh"}) {
			t.Errorf("pulled image: tags %v digests %v config %+v", ii.RepoTags, ii.RepoDigests, ii.Config)
		}
	})
	t.Run("pull again is up to date", func(t *testing.T) {
		got := statuses(t, pull(repo, "v1"))
		if want := "Status: Image is up to date for " + repo + ":v1"; !slices.Contains(got, want) {
			t.Errorf("progress %q lacks %q", got, want)
		}
	})
	t.Run("unknown tag", func(t *testing.T) {
		wantErrorPrefix(t, pull(repo, "nope"), http.StatusNotFound, "manifest for "+repo+":nope not found: manifest unknown")
	})
	t.Run("unreachable registry", func(t *testing.T) {
		rep := pull("127.0.0.1:1/nothing/here", "1")
		if rep.Status < 400 {
			t.Fatalf("status %d: %s", rep.Status, rep.Body)
		}
		var e common.ErrorResponse
		if err := json.Unmarshal(rep.Body, &e); err != nil || !strings.Contains(e.Message, "127.0.0.1:1") {
			t.Errorf("error %q (%v) does not name the registry", rep.Body, err)
		}
		wantError(t, h.do(t, req{op: call.OpImageInspect, vars: name("127.0.0.1:1/nothing/here:1")}),
			http.StatusNotFound, "No such image: 127.0.0.1:1/nothing/here:1")
		var list []image.Summary
		h.ok(t, req{op: call.OpImageList}, http.StatusOK, &list)
		if len(list) != 1 {
			t.Errorf("%d images after a failed pull, want only the one pulled before", len(list))
		}
	})
	t.Run("no source", func(t *testing.T) {
		wantError(t, h.do(t, req{op: call.OpImagePull}), http.StatusBadRequest, "fromImage or fromSrc is required")
	})
}
