package core_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

func TestContainerCreate(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	taken := h.create(t, "taken", "app:v1", nil)

	valid := container.CreateRequest{Config: &container.Config{Image: "app:v1", Cmd: []string{"/bin/sh"}}}
	tests := []struct {
		name     string
		query    string // ?name=
		body     any
		status   int
		msg      string
		prefix   bool   // msg is a prefix (it quotes the JSON parser)
		wantName string // for 201: the name inspect shows ("" = generated)
	}{
		{name: "named", query: "web", body: valid, status: http.StatusCreated, wantName: "/web"},
		{name: "unnamed gets a generated name", body: valid, status: http.StatusCreated},
		{name: "invalid name", query: "-bad", body: valid, status: http.StatusBadRequest,
			msg: "Invalid container name (-bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{name: "one-character name", query: "a", body: valid, status: http.StatusBadRequest,
			msg: "Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{name: "duplicate name", query: "taken", body: valid, status: http.StatusConflict,
			msg: `Conflict. The container name "/taken" is already in use by container "` + taken + `". You have to remove (or rename) that container to be able to reuse that name.`},
		{name: "a log driver dockerd does not have", body: container.CreateRequest{Config: valid.Config,
			HostConfig: &container.HostConfig{LogConfig: container.LogConfig{Type: "asdf"}}},
			status: http.StatusBadRequest, msg: "logger: no log driver named 'asdf' is registered"},
		{name: "a built-in log driver", body: container.CreateRequest{Config: valid.Config,
			HostConfig: &container.HostConfig{LogConfig: container.LogConfig{Type: "local"}}}, status: http.StatusCreated},
		{name: "an unknown restart policy", body: container.CreateRequest{Config: valid.Config,
			HostConfig: &container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "sometimes"}}},
			status: http.StatusBadRequest, msg: "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"},
		{name: "unknown image", body: container.CreateRequest{Config: &container.Config{Image: "nosuch", Cmd: []string{"x"}}},
			status: http.StatusNotFound, msg: "No such image: nosuch:latest"},
		{name: "unknown image with tag", body: container.CreateRequest{Config: &container.Config{Image: "nosuch:1", Cmd: []string{"x"}}},
			status: http.StatusNotFound, msg: "No such image: nosuch:1"},
		{name: "bad JSON", body: []byte(`{"Image":`), status: http.StatusBadRequest, msg: "invalid JSON: ", prefix: true},
		{name: "empty body", body: []byte{}, status: http.StatusBadRequest, msg: "invalid JSON: request body is empty"},
		{name: "no Config", body: []byte(`{"HostConfig":{}}`), status: http.StatusBadRequest, msg: "no image specified: set Config.Image"},
		{name: "no Config.Image", body: container.CreateRequest{Config: &container.Config{Cmd: []string{"x"}}},
			status: http.StatusBadRequest, msg: "no image specified: set Config.Image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q url.Values
			if tt.query != "" {
				q = url.Values{"name": {tt.query}}
			}
			rep := h.do(t, req{op: call.OpContainerCreate, query: q, body: tt.body})
			switch {
			case tt.status != http.StatusCreated && tt.prefix:
				wantErrorPrefix(t, rep, tt.status, tt.msg)
				return
			case tt.status != http.StatusCreated:
				wantError(t, rep, tt.status, tt.msg)
				return
			case rep.Status != http.StatusCreated:
				t.Fatalf("status %d, want 201: %s", rep.Status, rep.Body)
			}
			var out container.CreateResponse
			mustJSON(t, rep.Body, &out)
			if out.Warnings == nil {
				t.Error("Warnings is null; Docker sends []")
			}
			got := h.inspect(t, out.ID)
			if tt.wantName != "" && got.Name != tt.wantName {
				t.Errorf("Name %q, want %q", got.Name, tt.wantName)
			}
			if tt.wantName == "" && !regexp.MustCompile(`^/[a-z]+_[a-z]+$`).MatchString(got.Name) {
				t.Errorf("generated name %q is not adjective_surname", got.Name)
			}
			if got.State.Status != container.StateCreated {
				t.Errorf("State %q, want created", got.State.Status)
			}
		})
	}
}

func TestContainerCreateMergesImageConfig(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1",
		"ENV PATH=/usr/bin:/bin A=1 B=2",
		`ENTRYPOINT ["/entry"]`,
		`CMD ["/bin/sh","-c","echo image"]`,
		"WORKDIR /srv",
		"USER nobody",
		"LABEL from=image shared=image",
	)
	imageEnv := []string{"PATH=/usr/bin:/bin", "A=1", "B=2"}
	imageCmd := []string{"/bin/sh", "-c", "echo image"}
	imageLabels := map[string]string{"from": "image", "shared": "image"}

	type want struct {
		env        []string
		entrypoint []string
		cmd        []string
		path       string
		args       []string
		workdir    string
		user       string
		labels     map[string]string
	}
	base := want{env: imageEnv, entrypoint: []string{"/entry"}, cmd: imageCmd, path: "/entry", args: imageCmd,
		workdir: "/srv", user: "nobody", labels: imageLabels}
	with := func(f func(*want)) want { w := base; f(&w); return w }

	tests := []struct {
		name string
		cfg  container.Config
		want want
	}{
		{name: "image defaults", want: base},
		{name: "Env overrides by key and appends new keys",
			cfg:  container.Config{Env: []string{"B=20", "C=3"}},
			want: with(func(w *want) { w.env = []string{"PATH=/usr/bin:/bin", "A=1", "B=20", "C=3"} })},
		{name: "Cmd replaces the image's and keeps its Entrypoint",
			cfg:  container.Config{Cmd: []string{"run", "fast"}},
			want: with(func(w *want) { w.cmd, w.args = []string{"run", "fast"}, []string{"run", "fast"} })},
		{name: "Entrypoint drops the image's Cmd",
			cfg: container.Config{Entrypoint: []string{"/other", "-v"}},
			want: with(func(w *want) {
				w.entrypoint, w.cmd, w.path, w.args = []string{"/other", "-v"}, nil, "/other", []string{"-v"}
			})},
		{name: `--entrypoint "" clears the image's Entrypoint`,
			cfg: container.Config{Entrypoint: []string{""}, Cmd: []string{"echo", "hi"}},
			want: with(func(w *want) {
				w.entrypoint, w.cmd, w.path, w.args = nil, []string{"echo", "hi"}, "echo", []string{"hi"}
			})},
		{name: "WorkingDir and User override",
			cfg:  container.Config{WorkingDir: "/tmp", User: "root"},
			want: with(func(w *want) { w.workdir, w.user = "/tmp", "root" })},
		{name: "Labels are the union, the request's winning",
			cfg: container.Config{Labels: map[string]string{"shared": "req", "mine": "1"}},
			want: with(func(w *want) {
				w.labels = map[string]string{"from": "image", "shared": "req", "mine": "1"}
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := h.create(t, "", "app:v1", func(r *container.CreateRequest) {
				cfg := tt.cfg
				cfg.Image = "app:v1"
				r.Config = &cfg
			})
			got := h.inspect(t, id)
			c := got.Config
			check := func(field string, got, want any) {
				t.Helper()
				if !equalish(got, want) {
					t.Errorf("%s = %#v, want %#v", field, got, want)
				}
			}
			check("Env", c.Env, tt.want.env)
			check("Entrypoint", []string(c.Entrypoint), tt.want.entrypoint)
			check("Cmd", []string(c.Cmd), tt.want.cmd)
			check("Path", got.Path, tt.want.path)
			check("Args", got.Args, tt.want.args)
			check("WorkingDir", c.WorkingDir, tt.want.workdir)
			check("User", c.User, tt.want.user)
			check("Labels", c.Labels, tt.want.labels)
		})
	}

	t.Run(`--entrypoint "" without a Cmd`, func(t *testing.T) {
		rep := h.do(t, req{op: call.OpContainerCreate, body: container.CreateRequest{
			Config: &container.Config{Image: "app:v1", Entrypoint: []string{""}}}})
		wantError(t, rep, http.StatusBadRequest, "no command specified")
	})
}

func TestContainerFind(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "findme", "app:v1", nil)

	// Create until two ids share their first digit (at most 17 tries):
	// that digit is an ambiguous prefix.
	ids := []string{id}
	ambiguous := ""
	for ambiguous == "" {
		next := h.create(t, "", "app:v1", nil)
		for _, other := range ids {
			if other[0] == next[0] {
				ambiguous = next[:1]
			}
		}
		ids = append(ids, next)
	}

	tests := []struct {
		name   string
		ref    string
		status int
		msg    string
	}{
		{name: "full id", ref: id, status: http.StatusOK},
		{name: "name", ref: "findme", status: http.StatusOK},
		{name: "name with slash", ref: "/findme", status: http.StatusOK},
		{name: "unique id prefix", ref: id[:12], status: http.StatusOK},
		{name: "ambiguous id prefix", ref: ambiguous, status: http.StatusBadRequest,
			msg: "multiple IDs found with provided prefix: " + ambiguous},
		{name: "unknown", ref: "nosuch", status: http.StatusNotFound, msg: "No such container: nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpContainerInspect, vars: name(tt.ref)})
			if tt.status != http.StatusOK {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			var got container.InspectResponse
			if rep.Status != http.StatusOK {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			mustJSON(t, rep.Body, &got)
			if got.ID != id || got.Name != "/findme" {
				t.Errorf("found %s %s, want %s /findme", got.ID, got.Name, id)
			}
		})
	}
}

func TestContainerList(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	otherID := h.importImage(t, "other:v1")
	h.create(t, "alpha", "app:v1", func(r *container.CreateRequest) {
		r.Config.Labels = map[string]string{"env": "prod", "tier": "web"}
	})
	beta := h.create(t, "beta", "app:v1", func(r *container.CreateRequest) {
		r.Config.Labels = map[string]string{"env": "dev"}
	})
	h.create(t, "gamma", "other:v1", nil)

	tests := []struct {
		name   string
		query  url.Values
		want   []string // names, newest first
		status int
		msg    string
	}{
		{name: "running only by default", query: nil, want: []string{}},
		{name: "all", query: url.Values{"all": {"1"}}, want: []string{"/gamma", "/beta", "/alpha"}},
		{name: "status=created implies all", query: filterQuery(map[string][]string{"status": {"created"}}),
			want: []string{"/gamma", "/beta", "/alpha"}},
		{name: "status=exited", query: filterQuery(map[string][]string{"status": {"exited"}}), want: []string{}},
		{name: "label key", query: allWith(map[string][]string{"label": {"env"}}), want: []string{"/beta", "/alpha"}},
		{name: "label key=value", query: allWith(map[string][]string{"label": {"env=prod"}}), want: []string{"/alpha"}},
		{name: "labels all hold", query: allWith(map[string][]string{"label": {"env=prod", "tier=db"}}), want: []string{}},
		{name: "name", query: allWith(map[string][]string{"name": {"amm"}}), want: []string{"/gamma"}},
		{name: "id prefix", query: allWith(map[string][]string{"id": {beta[:10]}}), want: []string{"/beta"}},
		{name: "ancestor by reference", query: allWith(map[string][]string{"ancestor": {"other:v1"}}), want: []string{"/gamma"}},
		{name: "ancestor by image id", query: allWith(map[string][]string{"ancestor": {otherID}}), want: []string{"/gamma"}},
		{name: "limit", query: url.Values{"all": {"1"}, "limit": {"1"}}, want: []string{"/gamma"}},
		{name: "old map form of filters", query: url.Values{"all": {"1"}, "filters": {`{"label":{"env=dev":true}}`}}, want: []string{"/beta"}},
		{name: "invalid filter key", query: allWith(map[string][]string{"bogus": {"x"}}),
			status: http.StatusBadRequest, msg: "invalid filter 'bogus'"},
		{name: "invalid status value", query: filterQuery(map[string][]string{"status": {"sleeping"}}),
			status: http.StatusBadRequest, msg: "invalid filter 'status=sleeping'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpContainerList, query: tt.query})
			if tt.status != 0 {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			var got []container.Summary
			if rep.Status != http.StatusOK {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			mustJSON(t, rep.Body, &got)
			if got == nil {
				t.Fatalf("body %s: Docker sends [] for no containers", rep.Body)
			}
			names := []string{}
			for _, s := range got {
				names = append(names, s.Names...)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("names %v, want %v", names, tt.want)
			}
		})
	}
}

func allWith(f map[string][]string) url.Values {
	q := filterQuery(f)
	q.Set("all", "1")
	return q
}

func TestContainerRename(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	alpha := h.create(t, "alpha", "app:v1", nil)
	beta := h.create(t, "beta", "app:v1", nil)

	// In order: each case sees the renames before it.
	tests := []struct {
		name, from, to string
		status         int
		msg            string
	}{
		{name: "rename", from: "alpha", to: "delta", status: http.StatusNoContent},
		{name: "old name is free again", from: beta, to: "alpha", status: http.StatusNoContent},
		{name: "name in use", from: "delta", to: "alpha", status: http.StatusConflict,
			msg: `Conflict. The container name "/alpha" is already in use by container "` + beta + `". You have to remove (or rename) that container to be able to reuse that name.`},
		{name: "same name", from: "delta", to: "delta", status: http.StatusBadRequest,
			msg: "Renaming a container with the same name as its current name"},
		{name: "invalid name", from: "delta", to: "no/slash", status: http.StatusBadRequest,
			msg: "Invalid container name (no/slash), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{name: "unknown container", from: "nosuch", to: "fresh", status: http.StatusNotFound, msg: "No such container: nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpContainerRename, vars: name(tt.from), query: url.Values{"name": {tt.to}}})
			if tt.status != http.StatusNoContent {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			if rep.Status != http.StatusNoContent {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			if got := h.inspect(t, tt.to); got.Name != "/"+tt.to {
				t.Errorf("after rename, %q has Name %q", tt.to, got.Name)
			}
		})
	}
	if got := h.inspect(t, "delta"); got.ID != alpha {
		t.Errorf("delta is %s, want the container first named alpha (%s)", got.ID, alpha)
	}
}

func TestContainerRemoveAndPrune(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.create(t, "gone", "app:v1", nil)

	t.Run("remove by name", func(t *testing.T) {
		h.ok(t, req{op: call.OpContainerRemove, vars: name("gone")}, http.StatusNoContent, nil)
		wantError(t, h.do(t, req{op: call.OpContainerInspect, vars: name("gone")}), http.StatusNotFound, "No such container: gone")
		h.create(t, "gone", "app:v1", nil) // the name is free again
	})
	t.Run("remove unknown", func(t *testing.T) {
		wantError(t, h.do(t, req{op: call.OpContainerRemove, vars: name("nosuch")}), http.StatusNotFound, "No such container: nosuch")
	})
	t.Run("prune with a label filter, then all", func(t *testing.T) {
		tmp := h.create(t, "tmp", "app:v1", func(r *container.CreateRequest) { r.Config.Labels = map[string]string{"tmp": "1"} })
		var rep container.PruneReport
		h.ok(t, req{op: call.OpContainerPrune, query: filterQuery(map[string][]string{"label": {"tmp"}})}, http.StatusOK, &rep)
		if !slices.Equal(rep.ContainersDeleted, []string{tmp}) {
			t.Errorf("pruned %v, want only %s", rep.ContainersDeleted, tmp)
		}
		h.ok(t, req{op: call.OpContainerPrune}, http.StatusOK, &rep)
		if len(rep.ContainersDeleted) != 1 {
			t.Errorf("second prune removed %v, want the one container left", rep.ContainersDeleted)
		}
		var left []container.Summary
		h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &left)
		if len(left) != 0 {
			t.Errorf("%d containers left after prune", len(left))
		}
	})
	t.Run("prune with an invalid filter", func(t *testing.T) {
		wantError(t, h.do(t, req{op: call.OpContainerPrune, query: filterQuery(map[string][]string{"name": {"x"}})}),
			http.StatusBadRequest, "invalid filter 'name'")
	})
}
