package gcfinvoke_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/volume"

	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcfinvoke"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

const secret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// function is the sandbox backend built by gcphost over the simulator's
// Firestore, as a cold start builds it, served by gcphost.Handler on
// loopback; seen records what reached it.
type function struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []*http.Request
}

func startFunction(t *testing.T) *function {
	t.Helper()
	env := map[string]string{host.EnvSecret: secret, gcphost.EnvProject: gcpsimtest.Project}
	s, err := host.ReadSettings(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	f := gcphost.Function{Name: "sandbox", Workloads: func(ctx context.Context, env gcphost.Env) (gcphost.Workloads, error) {
		d, err := local.New(ctx, local.Config{Dir: t.TempDir()})
		return gcphost.Workloads{Compute: d, Images: d}, err
	}}
	p, err := f.Build(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	fn := &function{}
	h := gcphost.Handler(host.New(p, s, nil))
	fn.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		seen := r.Clone(context.Background())
		seen.Body = io.NopCloser(bytes.NewReader(body))
		fn.mu.Lock()
		fn.seen = append(fn.seen, seen)
		fn.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(fn.srv.Close)
	return fn
}

// last is the last request the function got, nil for none.
func (f *function) last() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		return nil
	}
	return f.seen[len(f.seen)-1]
}

func (f *function) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

func TestOverHTTPS(t *testing.T) {
	sim := gcpsimtest.Simulator(t, t.TempDir())
	t.Setenv("FIRESTORE_EMULATOR_HOST", sim)
	// Application Default Credentials: the simulator's metadata server.
	t.Setenv("GCE_METADATA_HOST", sim)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
	fn := startFunction(t)
	h, err := gcfinvoke.Dial(t.Context(), fn.srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a call carries an ID token for the function's URL", func(t *testing.T) {
		rep := h.Handle(t.Context(), call.Call{Op: call.OpVersion, Version: "1.56"})
		if rep.Status != http.StatusOK || !strings.Contains(string(rep.Body), "sandbox") {
			t.Fatalf("version: %d %s", rep.Status, rep.Body)
		}
		if aud := audience(t, fn.last()); aud != fn.srv.URL {
			t.Errorf("the ID token's audience is %q, want %q", aud, fn.srv.URL)
		}
	})
	t.Run("state is in Firestore: a second instance sees it", func(t *testing.T) {
		create := call.Call{Op: call.OpVolumeCreate, Version: "1.56", Body: []byte(`{"Name":"data","Labels":{"k":"v"}}`)}
		if rep := h.Handle(t.Context(), create); rep.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", rep.Status, rep.Body)
		}
		other, err := gcfinvoke.Dial(t.Context(), startFunction(t).srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		rep := other.Handle(t.Context(), call.Call{Op: call.OpVolumeInspect, Version: "1.56", Vars: map[string]string{"name": "data"}})
		var v volume.Volume
		if err := json.Unmarshal(rep.Body, &v); rep.Status != http.StatusOK || err != nil || v.Labels["k"] != "v" {
			t.Fatalf("the second instance sees %d %s (%v)", rep.Status, rep.Body, err)
		}
	})

	errs := []struct {
		name   string
		h      call.Handler
		in     call.Call
		status int
		msg    string
		sent   bool // whether it reaches the function
	}{
		{"an oversized call never leaves", h, call.Call{Op: call.OpImageLoad, Version: "1.56", Body: make([]byte, gcfinvoke.MaxPayload)},
			http.StatusRequestEntityTooLarge, "only archive uploads to running containers (docker cp) travel around it", false},
		{"an archive upload past the limit travels without its body", h, call.Call{Op: call.OpContainerArchive, Version: "1.56",
			Vars: map[string]string{"name": "nosuch"}, Query: map[string][]string{"path": {"/"}},
			Header: http.Header{"X-Method": {"PUT"}}, Body: make([]byte, gcfinvoke.MaxPayload)},
			http.StatusNotFound, "No such container: nosuch", true},
		{"an unreachable function is a 502", gcfinvoke.New(http.DefaultClient, "http://127.0.0.1:1"), call.Call{Op: call.OpVersion, Version: "1.56"},
			http.StatusBadGateway, "post system.version to function http://127.0.0.1:1", false},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			before := fn.count()
			rep := tc.h.Handle(t.Context(), tc.in)
			if msg := call.ErrorMessage(rep.Body); rep.Status != tc.status || !strings.Contains(msg, tc.msg) {
				t.Fatalf("got %d %q, want %d with %q", rep.Status, msg, tc.status, tc.msg)
			}
			if sent := fn.count() > before; sent != tc.sent {
				t.Fatalf("reached the function: %v, want %v", sent, tc.sent)
			}
			if tc.sent && tc.in.Op == call.OpContainerArchive {
				var got call.Call
				if err := json.NewDecoder(fn.last().Body).Decode(&got); err != nil {
					t.Fatal(err)
				}
				if size, held := call.HeldBody(got); !held || size != len(tc.in.Body) || len(got.Body) != 0 {
					t.Fatalf("the function got %d body bytes, held %v of %d", len(got.Body), held, size)
				}
			}
		})
	}
}

// The function answers what is not a call with the HTTP status that
// says so and Docker's error shape, which the edge passes on as a 502.
func TestNotACall(t *testing.T) {
	sim := gcpsimtest.Simulator(t, t.TempDir())
	t.Setenv("FIRESTORE_EMULATOR_HOST", sim)
	fn := startFunction(t)
	cases := []struct {
		name, method, body string
		status             int
		msg                string
	}{
		{"a GET", http.MethodGet, "", http.StatusMethodNotAllowed, "the sockerless function takes a call as a POST, not GET"},
		{"a body that is not JSON", http.MethodPost, "docker run", http.StatusBadRequest, "the request body is not a sockerless call"},
		{"JSON without an op", http.MethodPost, `{"version":"1.56"}`, http.StatusBadRequest, "the request body is not a sockerless call"},
		{"a body over Cloud Run's limit", http.MethodPost, strings.Repeat(" ", gcphost.MaxRequest+1), http.StatusRequestEntityTooLarge,
			"the call is over the 33554432-byte request limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, fn.srv.URL, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(call.ErrorMessage(body), tc.msg) {
				t.Fatalf("got %d %s, want %d with %q", resp.StatusCode, body, tc.status, tc.msg)
			}
		})
	}
	t.Run("the edge turns it into a 502 naming the function", func(t *testing.T) {
		rep := gcfinvoke.New(&http.Client{Transport: getOnly{}}, fn.srv.URL).Handle(t.Context(), call.Call{Op: call.OpPing})
		if msg := call.ErrorMessage(rep.Body); rep.Status != http.StatusBadGateway || !strings.Contains(msg, "405 Method Not Allowed: the sockerless function takes a call as a POST") {
			t.Fatalf("got %d %q", rep.Status, msg)
		}
	})
}

// getOnly is a transport that turns every request into a GET: the fault
// of a proxy between edge and function, which nothing here causes
// otherwise.
type getOnly struct{}

func (getOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Method, r.Body, r.ContentLength = http.MethodGet, nil, 0
	return http.DefaultTransport.RoundTrip(r)
}

// audience is the aud claim of the request's bearer ID token.
func audience(t *testing.T, r *http.Request) string {
	t.Helper()
	if r == nil {
		t.Fatal("nothing reached the function")
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	parts := strings.Split(tok, ".")
	if !ok || len(parts) != 3 {
		t.Fatalf("Authorization %q is not a bearer JWT", r.Header.Get("Authorization"))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Aud string }
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Aud
}
