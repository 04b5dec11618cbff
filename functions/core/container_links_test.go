package core_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// Legacy links: the linking container gets the linked one's name,
// ports and environment as variables and its alias as a peer name;
// inspect and docker ps show the link as dockerd does, and DELETE
// ?link=1 removes it; a link to a missing or stopped container fails.
func TestLegacyLinks(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.create(t, "db", "app:v1", func(cr *container.CreateRequest) {
		cr.Config.Env = []string{"FOO=1", "PATH=/x"}
		cr.Config.ExposedPorts = network.PortSet{network.MustParsePort("5432/tcp"): {}}
	})
	h.ok(t, req{op: call.OpContainerStart, vars: name("db")}, http.StatusNoContent, nil)
	h.create(t, "stopped", "app:v1", nil)
	linking := func(links ...string) func(*container.CreateRequest) {
		return func(cr *container.CreateRequest) { cr.HostConfig = &container.HostConfig{Links: links} }
	}
	ip := h.inspect(t, "db").NetworkSettings.Networks["bridge"].IPAddress.String()

	t.Run("the linked container reaches the linking one's start", func(t *testing.T) {
		h.create(t, "web", "app:v1", linking("db:my-db"))
		if got := h.inspect(t, "web").HostConfig.Links; !slices.Equal(got, []string{"/db:/web/my-db"}) {
			t.Errorf("HostConfig.Links %q, want [/db:/web/my-db]", got)
		}
		h.ok(t, req{op: call.OpContainerStart, vars: name("web")}, http.StatusNoContent, nil)
		w := h.starts.last()
		for _, want := range []string{"MY_DB_NAME=/web/my-db", "MY_DB_ENV_FOO=1", "MY_DB_PORT=tcp://" + ip + ":5432",
			"MY_DB_PORT_5432_TCP_ADDR=" + ip, "MY_DB_PORT_5432_TCP_PORT=5432", "MY_DB_PORT_5432_TCP_PROTO=tcp"} {
			if !slices.Contains(w.Main.Env, want) {
				t.Errorf("env %q lacks %s", w.Main.Env, want)
			}
		}
		if slices.ContainsFunc(w.Main.Env, func(kv string) bool { return strings.HasPrefix(kv, "MY_DB_ENV_PATH=") }) {
			t.Errorf("env %q carries the linked container's PATH", w.Main.Env)
		}
		if !slices.Contains(w.Peers, "my-db") {
			t.Errorf("peers %q lack the alias my-db", w.Peers)
		}
		var list []container.Summary
		h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &list)
		for _, s := range list {
			if s.Names[0] == "/db" && !slices.Contains(s.Names, "/web/my-db") {
				t.Errorf("docker ps names db %q, want /web/my-db among them", s.Names)
			}
		}
		h.ok(t, req{op: call.OpContainerRemove, vars: name("web/my-db"), query: url.Values{"link": {"1"}}}, http.StatusNoContent, nil)
		if got := h.inspect(t, "web").HostConfig.Links; len(got) != 0 {
			t.Errorf("after removing the link: HostConfig.Links %q", got)
		}
		h.inspect(t, "db") // both stay
	})

	for _, tc := range []struct {
		name, link, op string
		status         int
		msg            string
	}{
		{"a link to a missing container", "nope:x", call.OpContainerCreate, http.StatusBadRequest, "could not get container for nope: No such container: nope"},
		{"a link to a stopped container", "stopped:s", call.OpContainerStart, http.StatusConflict, "Cannot link to a non running container: /stopped AS /bad/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr := container.CreateRequest{Config: &container.Config{Image: "app:v1", Cmd: []string{"true"}}, HostConfig: &container.HostConfig{Links: []string{tc.link}}}
			rep := h.do(t, req{op: call.OpContainerCreate, query: url.Values{"name": {"bad"}}, body: cr})
			if tc.op == call.OpContainerStart {
				if rep.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", rep.Status, rep.Body)
				}
				t.Cleanup(func() { h.do(t, req{op: call.OpContainerRemove, vars: name("bad"), query: url.Values{"force": {"1"}}}) })
				rep = h.do(t, req{op: call.OpContainerStart, vars: name("bad")})
			}
			wantError(t, rep, tc.status, tc.msg)
		})
	}
}
