package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/sockerless/sockerless/functions/call"
)

// FuzzRequest sends arbitrary Docker API requests through the edge's
// router and envelope: a request either gets an error answer from the
// edge or reaches the function as a Call naming an operation, with the
// route's variables and the request's query; the edge never panics.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct{ method, path, query, body string }{
		{"GET", "/_ping", "", ""},
		{"GET", "/v1.44/containers/json", "all=1&filters=%7B%22status%22%3A%5B%22exited%22%5D%7D", ""},
		{"POST", "/containers/create", "name=x", `{"Image":"busybox"}`},
		{"POST", "/v1.12/containers/abc/start", "", ""},
		{"PUT", "/containers/abc/archive", "path=/tmp", "\x1f\x8b"},
		{"POST", "/exec/e1/resize", "h=10&w=20", ""},
		{"DELETE", "/images/sha256:abc", "force=1", ""},
		{"POST", "/networks/n/connect", "", `{"Container":"c"}`},
		{"HEAD", "/containers/abc/archive", "path=/", ""},
		{"GET", "/v99.0/info", "", ""},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	var got call.Call
	edge := New(Config{Handler: call.HandlerFunc(func(_ context.Context, c call.Call) call.Reply {
		got = c
		return call.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}
	})})
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		u := &url.URL{Scheme: "http", Host: "127.0.0.1", Path: path, RawQuery: query}
		req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			t.Skip("not an HTTP request")
		}
		got = call.Call{}
		w := httptest.NewRecorder()
		edge.ServeHTTP(w, req)
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("%s %s: status %d", method, path, w.Code)
		}
		if got.Op == "" {
			if w.Code < 400 {
				t.Fatalf("%s %s: %d without calling the function", method, path, w.Code)
			}
			return
		}
		m, ok := edge.routes.Match(req.Method, req.URL.Path)
		if !ok || m.Op != got.Op {
			t.Fatalf("%s %s reached the function as %q; the route table says %q (matched %v)", method, path, got.Op, m.Op, ok)
		}
		for k, v := range m.Vars {
			if got.Vars[k] != v {
				t.Fatalf("%s %s: variable %s is %q in the call, %q in the path", method, path, k, got.Vars[k], v)
			}
		}
	})
}
