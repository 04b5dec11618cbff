package core_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/system"
	"github.com/sockerless/sockerless/functions/call"
)

// eventLines decodes the JSON lines of an events reply.
func eventLines(t *testing.T, body []byte) []events.Message {
	t.Helper()
	var out []events.Message
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if line == "" {
			continue
		}
		var m events.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("event line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func actions(ms []events.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, string(m.Type)+" "+string(m.Action))
	}
	return out
}

func TestSystemEvents(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "ev", "app:v1", nil)
	h.ok(t, req{op: call.OpContainerRename, vars: name("ev"), query: url.Values{"name": {"ev2"}}}, http.StatusNoContent, nil)
	h.ok(t, req{op: call.OpContainerRemove, vars: name("ev2")}, http.StatusNoContent, nil)

	since := func(f map[string][]string) url.Values {
		q := url.Values{"since": {"0"}}
		if f != nil {
			q.Set("filters", filterQuery(f).Get("filters"))
		}
		return q
	}
	tests := []struct {
		name   string
		query  url.Values
		want   []string
		status int
		msg    string
	}{
		{name: "type=container", query: since(map[string][]string{"type": {"container"}}),
			want: []string{"container create", "container rename", "container destroy"}},
		{name: "event=create", query: since(map[string][]string{"event": {"create"}}),
			want: []string{"container create"}},
		{name: "container by name", query: since(map[string][]string{"container": {"ev2"}}),
			want: []string{"container rename", "container destroy"}},
		{name: "image events", query: since(map[string][]string{"type": {"image"}}),
			want: []string{"image import"}},
		{name: "invalid filter", query: since(map[string][]string{"bogus": {"x"}}),
			status: http.StatusBadRequest, msg: "invalid filter 'bogus'"},
		{name: "invalid since", query: url.Values{"since": {"yesterday"}},
			status: http.StatusBadRequest, msg: `invalid time value "yesterday": use unix seconds, RFC 3339, or a duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpSystemEvents, query: tt.query})
			if tt.msg != "" {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			if rep.Status != http.StatusOK {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			got := eventLines(t, rep.Body)
			if !slices.Equal(actions(got), tt.want) {
				t.Errorf("events %v, want %v", actions(got), tt.want)
			}
			for _, m := range got {
				if m.Type == events.ContainerEventType && m.Actor.ID != id {
					t.Errorf("event %s on %s, want %s", m.Action, m.Actor.ID, id)
				}
				if m.Action == events.ActionRename && (m.Actor.Attributes["name"] != "ev2" || m.Actor.Attributes["oldName"] != "/ev") {
					t.Errorf("rename attributes %v", m.Actor.Attributes)
				}
				if m.Time == 0 || m.TimeNano == 0 || m.Scope != "local" {
					t.Errorf("event %+v lacks time or scope", m)
				}
			}
		})
	}

	t.Run("cursor returns only newer events", func(t *testing.T) {
		q := since(map[string][]string{"type": {"container"}})
		first := h.ok(t, req{op: call.OpSystemEvents, query: q}, http.StatusOK, nil)
		st := first.Stream
		if st == nil || st.Kind != call.StreamEvents || st.Cursor == "" || st.Done {
			t.Fatalf("stream %+v, want an open events stream with a cursor", st)
		}
		next := h.create(t, "later", "app:v1", nil)
		q.Set(call.QueryCursor, st.Cursor)
		rep := h.ok(t, req{op: call.OpSystemEvents, query: q}, http.StatusOK, nil)
		got := eventLines(t, rep.Body)
		if !slices.Equal(actions(got), []string{"container create"}) || got[0].Actor.ID != next {
			t.Errorf("after the cursor: %v, want only the create of %s", actions(got), next)
		}
		q.Set(call.QueryCursor, rep.Stream.Cursor)
		if rep := h.ok(t, req{op: call.OpSystemEvents, query: q}, http.StatusOK, nil); len(rep.Body) != 0 {
			t.Errorf("nothing new, but got %s", rep.Body)
		}
	})
}

func TestSystem(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.importImage(t, "other:v1")
	h.create(t, "one", "app:v1", nil)
	h.create(t, "two", "app:v1", func(r *container.CreateRequest) {
		r.HostConfig = &container.HostConfig{Binds: []string{"vol:/data"}}
	})

	t.Run("ping", func(t *testing.T) {
		if rep := h.ok(t, req{op: call.OpPing}, http.StatusOK, nil); string(rep.Body) != "OK" {
			t.Errorf("ping body %q", rep.Body)
		}
	})
	t.Run("version", func(t *testing.T) {
		var v system.VersionResponse
		h.ok(t, req{op: call.OpVersion}, http.StatusOK, &v)
		if v.APIVersion != "1.56" || v.MinAPIVersion != "1.24" || v.Os != "linux" || v.Arch != runtime.GOARCH {
			t.Errorf("version %+v", v)
		}
		// The engine, then the backend and where it runs.
		if len(v.Components) != 2 || v.Components[0].Name != "Engine" || v.Components[0].Details["ApiVersion"] != "1.56" ||
			v.Components[1].Name != "Sockerless local" || v.Components[1].Details["Backend"] != "local" {
			t.Errorf("components %+v", v.Components)
		}
	})
	t.Run("info", func(t *testing.T) {
		var info system.Info
		h.ok(t, req{op: call.OpInfo}, http.StatusOK, &info)
		if info.Containers != 2 || info.ContainersStopped != 2 || info.ContainersRunning != 0 || info.Images != 2 {
			t.Errorf("counts: containers %d (running %d, stopped %d), images %d",
				info.Containers, info.ContainersRunning, info.ContainersStopped, info.Images)
		}
		if info.Driver != "local" || info.OSType != "linux" || info.ServerVersion == "" {
			t.Errorf("info %+v", info)
		}
	})

	legacy := []string{"Images", "Containers", "Volumes", "LayersSize", "BuildCache"}
	dfTests := []struct {
		version    string
		wantLegacy bool
	}{
		{version: "1.50", wantLegacy: true},
		{version: "1.52", wantLegacy: true},
		{version: "1.53", wantLegacy: false},
		{version: "1.56", wantLegacy: false},
	}
	for _, tt := range dfTests {
		t.Run("df "+tt.version, func(t *testing.T) {
			var raw map[string]json.RawMessage
			h.ok(t, req{op: call.OpDiskUsage, ver: tt.version}, http.StatusOK, &raw)
			for _, k := range legacy {
				if _, ok := raw[k]; ok != tt.wantLegacy {
					t.Errorf("field %s present=%t, want %t", k, ok, tt.wantLegacy)
				}
			}
			var du system.DiskUsage
			mustJSON(t, mustMarshal(t, raw), &du)
			if du.ImageUsage == nil || du.ImageUsage.TotalCount != 2 || du.ImageUsage.ActiveCount != 1 ||
				du.ContainerUsage == nil || du.ContainerUsage.TotalCount != 2 ||
				du.VolumeUsage == nil || du.VolumeUsage.TotalCount != 1 || du.VolumeUsage.ActiveCount != 1 {
				t.Errorf("usage: images %+v containers %+v volumes %+v", du.ImageUsage, du.ContainerUsage, du.VolumeUsage)
			}
			if tt.wantLegacy {
				var images []json.RawMessage
				mustJSON(t, raw["Images"], &images)
				if len(images) != 2 {
					t.Errorf("legacy Images has %d entries, want 2", len(images))
				}
			}
		})
	}

	t.Run("unknown op", func(t *testing.T) {
		wantError(t, h.do(t, req{op: "image.bogus"}), http.StatusNotImplemented, "image.bogus is not implemented by the local backend")
	})
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAgentAuth starts one container: its agent dials an address where
// nothing listens, so the workload stays running without an edge, and
// the test checks what the start handed the driver.
func TestAgentAuth(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "svc", "app:v1", nil)

	rep := h.do(t, req{op: call.OpContainerStart, vars: name("svc")})
	// The edge answers once the agent has connected (StreamStarted).
	if rep.Status != http.StatusNoContent || len(rep.Body) != 0 || rep.Stream == nil ||
		rep.Stream.Kind != call.StreamStarted || rep.Stream.Container != id {
		t.Fatalf("start reply %d %q %+v, want a 204 the edge gives once the agent is there", rep.Status, rep.Body, rep.Stream)
	}
	w := h.starts.last()
	if w.ID != id || w.Token == "" {
		t.Fatalf("driver started %q with token %q", w.ID, w.Token)
	}
	if got := h.inspect(t, id); !got.State.Running || got.State.Status != container.StateRunning {
		t.Errorf("after start: %+v", got.State)
	}

	tests := []struct {
		name      string
		container string
		token     string
		status    int
		msg       string
	}{
		{name: "token from the start", container: id, token: w.Token, status: http.StatusNoContent},
		{name: "wrong token", container: id, token: w.Token + "0", status: http.StatusUnauthorized,
			msg: "agent token rejected for container " + id},
		{name: "token of another start", container: id, token: "2" + w.Token[1:], status: http.StatusUnauthorized,
			msg: "agent token rejected for container " + id},
		{name: "name instead of id", container: "svc", token: w.Token, status: http.StatusUnauthorized,
			msg: "agent token rejected: unknown container"},
		{name: "unknown container", container: strings.Repeat("0", 64), token: w.Token, status: http.StatusUnauthorized,
			msg: "agent token rejected: unknown container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpAgentAuth, body: map[string]string{"Container": tt.container, "Token": tt.token}})
			if tt.msg != "" {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			if rep.Status != tt.status {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
		})
	}

	t.Run("running container", func(t *testing.T) {
		rep := h.do(t, req{op: call.OpContainerStart, vars: name("svc")})
		if rep.Status != http.StatusNotModified || len(rep.Body) != 0 {
			t.Errorf("second start: %d %q, want a bare 304", rep.Status, rep.Body)
		}
		wantError(t, h.do(t, req{op: call.OpContainerRemove, vars: name("svc")}), http.StatusConflict,
			`cannot remove container "/svc": container is running: stop the container before removing or force remove`)
		wantError(t, h.do(t, req{op: call.OpExecCreate, vars: name("svc"), body: container.ExecCreateRequest{}}),
			http.StatusBadRequest, "No exec command specified")
		stop := h.ok(t, req{op: call.OpContainerStop, vars: name("svc"), query: url.Values{"t": {"3"}}}, http.StatusNoContent, nil)
		if s := stop.Stream; s == nil || s.Kind != call.StreamStop || s.Container != id || s.Signal != "15" || s.Timeout != 3 {
			t.Errorf("stop stream %+v, want SIGTERM (15) with a 3s timeout", s)
		}
		h.ok(t, req{op: call.OpContainerRemove, vars: name("svc"), query: url.Values{"force": {"1"}}}, http.StatusNoContent, nil)
		wantError(t, h.do(t, req{op: call.OpAgentAuth, body: map[string]string{"Container": id, "Token": w.Token}}),
			http.StatusUnauthorized, "agent token rejected: unknown container")
	})
}
