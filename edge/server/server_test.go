package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sockerless/sockerless/functions/call"
)

// fakeFunction stands in for the control-plane function in tests of the
// edge's own mechanics (routing, envelopes, replies, streams). It records
// every call and answers with reply, or with an echo of the call.
type fakeFunction struct {
	mu    sync.Mutex
	calls []call.Call
	reply func(call.Call) call.Reply
}

func (f *fakeFunction) Handle(ctx context.Context, c call.Call) call.Reply {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	fn := f.reply
	f.mu.Unlock()
	if fn != nil {
		return fn(c)
	}
	body, _ := json.Marshal(c)
	return call.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

func (f *fakeFunction) Calls() []call.Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call.Call(nil), f.calls...)
}

func newEdge(t *testing.T, f *fakeFunction, cfg Config) *httptest.Server {
	t.Helper()
	cfg.Handler = f
	srv := httptest.NewServer(New(cfg).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func message(t *testing.T, b []byte) string {
	t.Helper()
	var e struct{ Message string }
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("body %q is not Docker error JSON: %v", b, err)
	}
	return e.Message
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		method, path string
		op           string
		vars         map[string]string
	}{
		{"GET", "/_ping", call.OpPing, nil},
		{"GET", "/version", call.OpVersion, nil},
		{"GET", "/info", call.OpInfo, nil},
		{"GET", "/events", call.OpSystemEvents, nil},
		{"GET", "/system/df", call.OpDiskUsage, nil},
		{"POST", "/auth", call.OpAuth, nil},

		{"GET", "/containers/json", call.OpContainerList, nil},
		{"POST", "/containers/create", call.OpContainerCreate, nil},
		{"GET", "/containers/abc/json", call.OpContainerInspect, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/start", call.OpContainerStart, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/stop", call.OpContainerStop, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/restart", call.OpContainerRestart, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/kill", call.OpContainerKill, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/wait", call.OpContainerWait, map[string]string{"name": "abc"}},
		{"DELETE", "/containers/abc", call.OpContainerRemove, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/rename", call.OpContainerRename, map[string]string{"name": "abc"}},
		{"POST", "/containers/prune", call.OpContainerPrune, nil},
		{"POST", "/containers/abc/attach", call.OpContainerAttach, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/attach/ws", call.OpContainerAttach, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/logs", call.OpContainerLogs, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/top", call.OpContainerTop, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/resize", call.OpContainerResize, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/stats", call.OpContainerStats, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/archive", call.OpContainerArchive, map[string]string{"name": "abc"}},
		{"HEAD", "/containers/abc/archive", call.OpContainerArchive, map[string]string{"name": "abc"}},
		{"PUT", "/containers/abc/archive", call.OpContainerArchive, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/pause", call.OpContainerPause, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/unpause", call.OpContainerUnpause, map[string]string{"name": "abc"}},
		{"POST", "/containers/abc/update", call.OpContainerUpdate, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/changes", call.OpContainerChanges, map[string]string{"name": "abc"}},
		{"GET", "/containers/abc/export", call.OpContainerExport, map[string]string{"name": "abc"}},

		{"POST", "/containers/abc/exec", call.OpExecCreate, map[string]string{"name": "abc"}},
		{"POST", "/exec/e1/start", call.OpExecStart, map[string]string{"id": "e1"}},
		{"POST", "/exec/e1/resize", call.OpExecResize, map[string]string{"id": "e1"}},
		{"GET", "/exec/e1/json", call.OpExecInspect, map[string]string{"id": "e1"}},

		{"GET", "/images/json", call.OpImageList, nil},
		{"POST", "/images/create", call.OpImagePull, nil},
		{"POST", "/images/load", call.OpImageLoad, nil},
		{"GET", "/images/get", call.OpImageSave, nil},
		{"GET", "/images/alpine/get", call.OpImageSave, map[string]string{"name": "alpine"}},
		{"GET", "/images/localhost:5000/team/app:1.0/json", call.OpImageInspect, map[string]string{"name": "localhost:5000/team/app:1.0"}},
		{"GET", "/images/team/app/history", call.OpImageHistory, map[string]string{"name": "team/app"}},
		{"POST", "/images/team/app/tag", call.OpImageTag, map[string]string{"name": "team/app"}},
		{"POST", "/images/team/app/push", call.OpImagePush, map[string]string{"name": "team/app"}},
		{"DELETE", "/images/team/app:latest", call.OpImageRemove, map[string]string{"name": "team/app:latest"}},
		{"POST", "/images/prune", call.OpImagePrune, nil},

		{"GET", "/volumes", call.OpVolumeList, nil},
		{"POST", "/volumes/create", call.OpVolumeCreate, nil},
		{"GET", "/volumes/data", call.OpVolumeInspect, map[string]string{"name": "data"}},
		{"DELETE", "/volumes/data", call.OpVolumeRemove, map[string]string{"name": "data"}},
		{"POST", "/volumes/prune", call.OpVolumePrune, nil},

		{"GET", "/networks", call.OpNetworkList, nil},
		{"GET", "/networks/", call.OpNetworkList, nil},
		{"POST", "/networks/create", call.OpNetworkCreate, nil},
		{"GET", "/networks/n1", call.OpNetworkInspect, map[string]string{"id": "n1"}},
		{"POST", "/networks/n1/connect", call.OpNetworkConnect, map[string]string{"id": "n1"}},
		{"POST", "/networks/n1/disconnect", call.OpNetworkDisconnect, map[string]string{"id": "n1"}},
		{"DELETE", "/networks/n1", call.OpNetworkRemove, map[string]string{"id": "n1"}},
		{"POST", "/networks/prune", call.OpNetworkPrune, nil},

		{"GET", "/swarm", call.OpSwarm, nil},
		{"POST", "/swarm/leave", call.OpSwarm, map[string]string{"action": "leave"}},
		{"POST", "/swarm/init", call.OpSwarm, map[string]string{"action": "init"}},
		{"GET", "/services", call.OpSwarmManager, nil},
		{"DELETE", "/secrets/s1", call.OpSwarmManager, map[string]string{"rest": "s1"}},
		{"POST", "/nodes/n1/update", call.OpSwarmManager, map[string]string{"rest": "n1/update"}},
	}
	f := &fakeFunction{}
	srv := newEdge(t, f, Config{})
	for _, prefix := range []struct{ path, version string }{{"", "1.56"}, {"/v1.24", "1.24"}, {"/v1.56", "1.56"}, {"/v1.44", "1.44"}} {
		for _, tt := range tests {
			t.Run(prefix.path+" "+tt.method+" "+tt.path, func(t *testing.T) {
				resp, body := do(t, srv, tt.method, prefix.path+tt.path, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				calls := f.Calls()
				got := calls[len(calls)-1]
				if got.Op != tt.op {
					t.Errorf("op = %q, want %q", got.Op, tt.op)
				}
				if got.Version != prefix.version {
					t.Errorf("version = %q, want %q", got.Version, prefix.version)
				}
				for k, v := range tt.vars {
					if got.Vars[k] != v {
						t.Errorf("var %s = %q, want %q", k, got.Vars[k], v)
					}
				}
				if len(got.Vars) != len(tt.vars) {
					t.Errorf("vars = %v, want %v", got.Vars, tt.vars)
				}
				if got.Header.Get(call.MethodHeader) != tt.method {
					t.Errorf("method header = %q", got.Header.Get(call.MethodHeader))
				}
			})
		}
	}
}

func TestVersionsAndUnknownRoutes(t *testing.T) {
	tests := []struct {
		name, method, path string
		status             int
		message            string
	}{
		{"too old", "GET", "/v1.23/info", 400, "client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"},
		{"much too old", "GET", "/v1.9/info", 400, "client version 1.9 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"},
		{"too new", "GET", "/v1.57/info", 400, "client version 1.57 is too new. Maximum supported API version is 1.56"},
		{"too new major", "GET", "/v2.0/containers/json", 400, "client version 2.0 is too new. Maximum supported API version is 1.56"},
		{"unknown path", "GET", "/nothing/here", 404, "page not found"},
		{"unknown versioned path", "GET", "/v1.44/nothing", 404, "page not found"},
		{"wrong method", "GET", "/containers/create", 404, "page not found"},
		{"unserved route", "GET", "/plugins", 404, "page not found"},
		{"bad version syntax", "GET", "/vx/info", 404, "page not found"},
	}
	f := &fakeFunction{}
	srv := newEdge(t, f, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.method, tt.path, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type = %q", ct)
			}
			if got := message(t, body); got != tt.message {
				t.Errorf("message = %q, want %q", got, tt.message)
			}
			if resp.Header.Get("Api-Version") != "1.56" || resp.Header.Get("Server") != "Docker/sockerless (linux)" {
				t.Errorf("missing daemon headers: %v", resp.Header)
			}
		})
	}
	if n := len(f.Calls()); n != 0 {
		t.Fatalf("function called %d times for rejected requests", n)
	}
}

func TestPing(t *testing.T) {
	f := &fakeFunction{reply: func(c call.Call) call.Reply {
		return call.Reply{Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("OK")}
	}}
	srv := newEdge(t, f, Config{Version: "0.1.0"})
	for _, method := range []string{"GET", "HEAD"} {
		t.Run(method, func(t *testing.T) {
			resp, body := do(t, srv, method, "/_ping", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			want := map[string]string{
				"Api-Version":         "1.56",
				"Docker-Experimental": "false",
				"Ostype":              "linux",
				"Builder-Version":     "1",
				"Cache-Control":       "no-cache, no-store, must-revalidate",
				"Pragma":              "no-cache",
				"Server":              "Docker/0.1.0 (linux)",
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			wantBody := "OK"
			if method == "HEAD" {
				wantBody = ""
			}
			if string(body) != wantBody {
				t.Errorf("body = %q, want %q", body, wantBody)
			}
		})
	}
	if calls := f.Calls(); len(calls) != 2 || calls[0].Op != call.OpPing || calls[1].Op != call.OpPing {
		t.Fatalf("ping not forwarded to the function: %+v", calls)
	}
}

func TestEnvelope(t *testing.T) {
	f := &fakeFunction{}
	srv := newEdge(t, f, Config{})
	resp, body := do(t, srv, "POST", "/v1.44/images/create?fromImage=alpine&tag=3", strings.NewReader(`{"x":1}`),
		"Content-Type", "application/json", "X-Registry-Auth", "secret-auth", "X-Registry-Config", "cfg", "Cookie", "c=1", "X-Other", "no")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	c := f.Calls()[0]
	if c.Query.Get("fromImage") != "alpine" || c.Query.Get("tag") != "3" {
		t.Errorf("query = %v", c.Query)
	}
	if string(c.Body) != `{"x":1}` {
		t.Errorf("body = %q", c.Body)
	}
	for k, v := range map[string]string{"Content-Type": "application/json", "X-Registry-Auth": "secret-auth", "X-Registry-Config": "cfg", call.MethodHeader: "POST"} {
		if got := c.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"Cookie", "X-Other", "User-Agent"} {
		if _, ok := c.Header[k]; ok {
			t.Errorf("header %s crossed the envelope", k)
		}
	}
}

func TestBodyLimits(t *testing.T) {
	f := &fakeFunction{}
	srv := newEdge(t, f, Config{MaxJSONBodyBytes: 16, MaxBodyBytes: 64})
	tests := []struct {
		name, path string
		size       int
		status     int
		message    string
	}{
		{"json at limit", "/containers/create", 16, 200, ""},
		{"json over limit", "/containers/create", 17, 413, "request body too large: limit is 16 bytes"},
		{"load within large limit", "/images/load", 64, 200, ""},
		{"load over large limit", "/images/load", 65, 413, "request body too large: limit is 64 bytes"},
		{"import over large limit", "/images/create?fromSrc=-", 100, 413, "request body too large: limit is 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, "POST", tt.path, bytes.NewReader(bytes.Repeat([]byte("a"), tt.size)))
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if tt.message != "" && message(t, body) != tt.message {
				t.Errorf("message = %q", message(t, body))
			}
		})
	}
	resp, body := do(t, srv, "PUT", "/containers/c/archive?path=/", bytes.NewReader(make([]byte, 64)))
	if resp.StatusCode != 200 {
		t.Fatalf("archive put of 64 bytes: %d %s", resp.StatusCode, body)
	}
	if got := f.Calls(); len(got[len(got)-1].Body) != 64 {
		t.Fatalf("archive body not passed whole")
	}
}

func TestReplies(t *testing.T) {
	tests := []struct {
		name   string
		reply  call.Reply
		panics bool
		status int
		body   string
		header map[string]string
	}{
		{"error passes through", call.Reply{Status: 404, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"message":"No such container: x"}`)},
			false, 404, `{"message":"No such container: x"}`, map[string]string{"Content-Type": "application/json"}},
		{"no content", call.Reply{Status: 204}, false, 204, "", nil},
		{"zero status is 200", call.Reply{Body: []byte("[]")}, false, 200, "[]", nil},
		{"progress stream", call.Reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte("{\"status\":\"Pulling\"}\n{\"status\":\"Done\"}\n")},
			false, 200, "{\"status\":\"Pulling\"}\n{\"status\":\"Done\"}\n", nil},
		{"panic becomes 500 JSON", call.Reply{}, true, 500, "", map[string]string{"Content-Type": "application/json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFunction{reply: func(call.Call) call.Reply {
				if tt.panics {
					panic("boom")
				}
				return tt.reply
			}}
			srv := newEdge(t, f, Config{})
			resp, body := do(t, srv, "GET", "/containers/x/json", nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.panics {
				if m := message(t, body); !strings.Contains(m, "boom") {
					t.Errorf("message = %q", m)
				}
			} else if string(body) != tt.body {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
			for k, v := range tt.header {
				if resp.Header.Get(k) != v {
					t.Errorf("%s = %q", k, resp.Header.Get(k))
				}
			}
		})
	}
}
