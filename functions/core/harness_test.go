package core_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state"
	"github.com/sockerless/sockerless/functions/state/bolt"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// unreachableAgentURL is where workload agents dial: nothing listens,
// so a started workload stays "running" (its agent keeps retrying)
// until the driver closes. Tests only look at what core recorded.
const unreachableAgentURL = "ws://127.0.0.1:1/agent/v1/connect"

// harness is a Core over a real bbolt file and the real local driver,
// reached through the JSON envelope as a remote function would be.
type harness struct {
	h       call.Handler
	starts  *startRecorder
	version string
	cfg     core.Config // what h was made of, for another instance
}

// startRecorder is the real local driver; it only remembers the
// workloads it was asked to start, so a test can present the token an
// agent would.
type startRecorder struct {
	*local.Driver
	mu      sync.Mutex
	started []core.Workload
	// hold, when set, keeps Start from launching until it is closed;
	// meanwhile the driver has no trace of the workload, as a cloud
	// before its run call returns.
	hold      chan struct{}
	launching bool
	// logs, when set, answers Logs instead of the driver.
	logs func(cursor string) ([]core.LogEntry, string, error)
}

func (r *startRecorder) Logs(ctx context.Context, id, cursor string) ([]core.LogEntry, string, error) {
	if r.logs != nil {
		return r.logs(cursor)
	}
	return r.Driver.Logs(ctx, id, cursor)
}

func (r *startRecorder) Start(ctx context.Context, w core.Workload) error {
	r.mu.Lock()
	r.started = append(r.started, w)
	hold := r.hold
	r.launching = hold != nil
	r.mu.Unlock()
	if hold != nil {
		<-hold
	}
	r.mu.Lock()
	r.launching = false
	r.mu.Unlock()
	return r.Driver.Start(ctx, w)
}

func (r *startRecorder) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	r.mu.Lock()
	launching := r.launching
	r.mu.Unlock()
	if launching {
		return core.WorkloadStatus{}, nil
	}
	return r.Driver.Status(ctx, id)
}

func (r *startRecorder) last() core.Workload {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.started) == 0 {
		return core.Workload{}
	}
	return r.started[len(r.started)-1]
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with cfg changed by set (nil: as is).
func newHarnessWith(t testing.TB, set func(*core.Config)) *harness {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessOnWith(t, store, set)
}

// newHarnessOn is a harness over store, which it closes at the end.
func newHarnessOn(t testing.TB, store state.Store) *harness {
	t.Helper()
	return newHarnessOnWith(t, store, nil)
}

// newHarnessOnWith is newHarnessOn with cfg changed by set (nil: as is).
func newHarnessOnWith(t testing.TB, store state.Store, set func(*core.Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	drv, err := local.New(context.Background(), local.Config{Dir: filepath.Join(dir, "data"), AgentURL: unreachableAgentURL, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = drv.Close()
		_ = store.Close()
	})
	rec := &startRecorder{Driver: drv}
	cfg := core.Config{
		Store: store, Compute: rec, Images: drv, Secret: []byte("test-secret"),
		Backend: "local", DataRoot: dir, Log: log,
	}
	if set != nil {
		set(&cfg)
	}
	return &harness{h: call.Serialized(core.New(cfg)), starts: rec, version: "1.56", cfg: cfg}
}

// instance is another function instance beside h's: its own Core over
// store (h's, or a wrapper of it) and the same workloads.
func (h *harness) instance(store state.Store) *harness {
	cfg := h.cfg
	cfg.Store = store
	return &harness{h: call.Serialized(core.New(cfg)), starts: h.starts, version: h.version, cfg: cfg}
}

// req is one call, written the way a test reads best.
type req struct {
	op    string
	vars  map[string]string
	query url.Values
	body  any // []byte is sent as is; anything else as JSON
	ver   string
}

func (h *harness) do(t *testing.T, r req) call.Reply {
	t.Helper()
	c := call.Call{Op: r.op, Version: h.version, Vars: r.vars, Query: r.query}
	if r.ver != "" {
		c.Version = r.ver
	}
	switch b := r.body.(type) {
	case nil:
	case []byte:
		c.Body = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		c.Body = raw
	}
	return h.h.Handle(t.Context(), c)
}

// ok calls and fails the test unless the status is want; it decodes a
// JSON body into out when out is not nil.
func (h *harness) ok(t *testing.T, r req, want int, out any) call.Reply {
	t.Helper()
	rep := h.do(t, r)
	if rep.Status != want {
		t.Fatalf("%s %v: status %d, want %d; body %s", r.op, r.vars, rep.Status, want, rep.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rep.Body, out); err != nil {
			t.Fatalf("%s: decode %s: %v", r.op, rep.Body, err)
		}
	}
	return rep
}

// wantError checks Docker's error shape: status, JSON content type and
// the exact message.
func wantError(t *testing.T, rep call.Reply, status int, msg string) {
	t.Helper()
	if rep.Status != status {
		t.Errorf("status %d, want %d; body %s", rep.Status, status, rep.Body)
	}
	if ct := rep.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e common.ErrorResponse
	if err := json.Unmarshal(rep.Body, &e); err != nil {
		t.Fatalf("error body %q is not Docker's error JSON: %v", rep.Body, err)
	}
	if e.Message != msg {
		t.Errorf("message\n got %q\nwant %q", e.Message, msg)
	}
}

// wantErrorPrefix is wantError for messages that quote a parser's text.
func wantErrorPrefix(t *testing.T, rep call.Reply, status int, prefix string) {
	t.Helper()
	if rep.Status != status {
		t.Errorf("status %d, want %d; body %s", rep.Status, status, rep.Body)
	}
	var e common.ErrorResponse
	if err := json.Unmarshal(rep.Body, &e); err != nil {
		t.Fatalf("error body %q is not Docker's error JSON: %v", rep.Body, err)
	}
	if !strings.HasPrefix(e.Message, prefix) {
		t.Errorf("message %q does not start with %q", e.Message, prefix)
	}
}

// rootfsTar is a minimal root filesystem, as `docker import` takes it.
func rootfsTar(t *testing.T) []byte {
	t.Helper()
	b, err := registrytest.Layer(registrytest.BaseFiles())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importImage imports a rootfs through the Core (POST /images/create
// ?fromSrc=-) and returns the image id. ref may be "" for an untagged
// (dangling) image.
func (h *harness) importImage(t *testing.T, ref string, changes ...string) string {
	t.Helper()
	q := url.Values{"fromSrc": {"-"}}
	if ref != "" {
		repo, tag, _ := strings.Cut(ref, ":")
		q.Set("repo", repo)
		if tag != "" {
			q.Set("tag", tag)
		}
	}
	if len(changes) > 0 {
		q["changes"] = changes
	}
	rep := h.ok(t, req{op: call.OpImagePull, query: q, body: rootfsTar(t)}, http.StatusOK, nil)
	var m struct{ Status string }
	if err := json.Unmarshal(rep.Body, &m); err != nil || !strings.HasPrefix(m.Status, "sha256:") {
		t.Fatalf("import reply %q does not carry the image id (%v)", rep.Body, err)
	}
	return m.Status
}

// create creates a container from image (name may be "") and returns its id.
func (h *harness) create(t *testing.T, name, image string, mutate func(*container.CreateRequest)) string {
	t.Helper()
	cr := container.CreateRequest{Config: &container.Config{Image: image, Cmd: []string{"/bin/sh"}}}
	if mutate != nil {
		mutate(&cr)
	}
	var q url.Values
	if name != "" {
		q = url.Values{"name": {name}}
	}
	var out container.CreateResponse
	h.ok(t, req{op: call.OpContainerCreate, query: q, body: cr}, http.StatusCreated, &out)
	if len(out.ID) != 64 {
		t.Fatalf("create returned id %q", out.ID)
	}
	return out.ID
}

func (h *harness) inspect(t *testing.T, ref string) container.InspectResponse {
	t.Helper()
	var out container.InspectResponse
	h.ok(t, req{op: call.OpContainerInspect, vars: map[string]string{"name": ref}}, http.StatusOK, &out)
	return out
}

func name(n string) map[string]string { return map[string]string{"name": n} }

func filterQuery(f map[string][]string) url.Values {
	b, _ := json.Marshal(f)
	return url.Values{"filters": {string(b)}}
}

func mustJSON(t *testing.T, b []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// equalish is reflect.DeepEqual, except that a nil and an empty slice
// or map are the same (JSON's null and [] both mean "none" here).
func equalish(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.IsValid() && vb.IsValid() && va.Type() == vb.Type() &&
		(va.Kind() == reflect.Slice || va.Kind() == reflect.Map) && va.Len() == 0 && vb.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}
