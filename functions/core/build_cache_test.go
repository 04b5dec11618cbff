package core_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/image"
	"github.com/sockerless/sockerless/functions/call"
)

// cache_from reuses an image whose history is exactly what the build
// would record (docker-py's test_build_with_cache_from): each step says
// "Using cache" and the build's image is that one; anything short of a
// whole match reuses nothing.
func TestBuildCacheFrom(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1", "ENV PATH=/usr/bin:/bin")
	const df = "FROM base:1\nENV FOO=bar\nRUN touch baz\nRUN touch bax\n"
	first := h.build(t, map[string]string{"Dockerfile": df}, url.Values{"t": {"cached:1"}})
	if first.failed != nil || first.id == "" {
		t.Fatalf("first build: %+v\n%s", first.failed, first.text)
	}
	withCopy := "FROM base:1\nCOPY f /f\n"
	if r := h.build(t, map[string]string{"Dockerfile": withCopy, "f": "x"}, url.Values{"t": {"copied:1"}}); r.failed != nil {
		t.Fatalf("build with COPY: %s", r.text)
	}
	for _, tc := range []struct {
		name       string
		dockerfile string
		query      url.Values
		reused     bool
	}{
		{"the same steps reuse the cache_from image", df, url.Values{"cachefrom": {`["cached:1"]`}}, true},
		{"an image missing from cache_from reuses nothing", df, url.Values{"cachefrom": {`["nosuchtag"]`}}, false},
		{"the first matching image of several is reused", df, url.Values{"cachefrom": {`["nosuchtag","base:1","cached:1"]`}}, true},
		{"without cache_from nothing is reused", df, url.Values{}, false},
		{"a changed step reuses nothing", strings.Replace(df, "bax", "other", 1), url.Values{"cachefrom": {`["cached:1"]`}}, false},
		{"a step fewer reuses nothing", "FROM base:1\nENV FOO=bar\nRUN touch baz\n", url.Values{"cachefrom": {`["cached:1"]`}}, false},
		{"build args are not in RUN's history: nothing is reused", df, url.Values{"cachefrom": {`["cached:1"]`}, "buildargs": {`{"X":"1"}`}}, false},
		{"labels are in no step's history: nothing is reused", df, url.Values{"cachefrom": {`["cached:1"]`}, "labels": {`{"k":"v"}`}}, false},
		{"COPY names no content: nothing is reused", withCopy, url.Values{"cachefrom": {`["copied:1"]`}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.query.Set("t", "rebuilt:1")
			files := map[string]string{"Dockerfile": tc.dockerfile, "f": "x"}
			r := h.build(t, files, tc.query)
			if r.failed != nil {
				t.Fatalf("build failed: %s", r.text)
			}
			hits := strings.Count(r.text, "Using cache")
			if tc.reused && (hits != 3 || r.id != first.id) {
				t.Errorf("%d steps from the cache, image %s; want 3 and %s:\n%s", hits, r.id, first.id, r.text)
			}
			if !tc.reused && (hits != 0 || r.id == first.id) {
				t.Errorf("%d steps from the cache, image %s; want none and a new image:\n%s", hits, r.id, r.text)
			}
			var got image.InspectResponse
			h.ok(t, req{op: call.OpImageInspect, vars: name("rebuilt:1")}, http.StatusOK, &got)
			if got.ID != r.id {
				t.Errorf("rebuilt:1 is %s, want the build's %s", got.ID, r.id)
			}
		})
	}
}
