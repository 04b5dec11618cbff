package core_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	"github.com/sockerless/sockerless/functions/call"
)

func TestVolumes(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	user := h.create(t, "user", "app:v1", func(r *container.CreateRequest) {
		r.HostConfig = &container.HostConfig{Binds: []string{"inuse:/data"}}
	})

	var anon volume.Volume
	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name   string
			body   any
			status int
			msg    string
		}{
			{name: "named with labels", body: volume.CreateRequest{Name: "data", Labels: map[string]string{"k": "v"}}, status: http.StatusCreated},
			{name: "again is the same volume", body: volume.CreateRequest{Name: "data"}, status: http.StatusCreated},
			{name: "keep", body: volume.CreateRequest{Name: "keep"}, status: http.StatusCreated},
			{name: "invalid name", body: volume.CreateRequest{Name: "a/b"}, status: http.StatusBadRequest,
				msg: `create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
			{name: "a driver that is not there", body: volume.CreateRequest{Name: "x1", Driver: "nfs"}, status: http.StatusNotFound,
				msg: `error looking up volume plugin nfs: plugin "nfs" not found: only the "local" volume driver exists here`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rep := h.do(t, req{op: call.OpVolumeCreate, body: tt.body})
				if tt.msg != "" {
					wantError(t, rep, tt.status, tt.msg)
					return
				}
				var v volume.Volume
				if rep.Status != tt.status {
					t.Fatalf("status %d: %s", rep.Status, rep.Body)
				}
				mustJSON(t, rep.Body, &v)
				if v.Driver != "local" || v.Scope != "local" || v.Mountpoint == "" || v.CreatedAt == "" {
					t.Errorf("volume %+v", v)
				}
				if v.Name == "data" && v.Labels["k"] != "v" {
					t.Errorf("labels %v: the second create must return the first volume", v.Labels)
				}
			})
		}
		// An empty body makes an anonymous volume.
		h.ok(t, req{op: call.OpVolumeCreate}, http.StatusCreated, &anon)
		if len(anon.Name) != 64 {
			t.Errorf("anonymous volume name %q", anon.Name)
		}
	})

	t.Run("inspect", func(t *testing.T) {
		var v volume.Volume
		h.ok(t, req{op: call.OpVolumeInspect, vars: name("data")}, http.StatusOK, &v)
		if v.Name != "data" || v.Labels["k"] != "v" {
			t.Errorf("inspect %+v", v)
		}
		wantError(t, h.do(t, req{op: call.OpVolumeInspect, vars: name("nosuch")}), http.StatusNotFound, "get nosuch: no such volume")
	})

	listTests := []struct {
		name   string
		query  url.Values
		want   []string
		status int
		msg    string
	}{
		{name: "all", want: []string{anon.Name, "data", "inuse", "keep"}},
		{name: "name", query: filterQuery(map[string][]string{"name": {"dat"}}), want: []string{"data"}},
		{name: "label", query: filterQuery(map[string][]string{"label": {"k=v"}}), want: []string{"data"}},
		{name: "dangling", query: filterQuery(map[string][]string{"dangling": {"true"}}), want: []string{anon.Name, "data", "keep"}},
		{name: "not dangling", query: filterQuery(map[string][]string{"dangling": {"false"}}), want: []string{"inuse"}},
		{name: "invalid filter", query: filterQuery(map[string][]string{"status": {"x"}}), status: http.StatusBadRequest, msg: "invalid filter 'status'"},
	}
	for _, tt := range listTests {
		t.Run("list "+tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpVolumeList, query: tt.query})
			if tt.msg != "" {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			var got volume.ListResponse
			mustJSON(t, rep.Body, &got)
			names := []string{}
			for _, v := range got.Volumes {
				names = append(names, v.Name)
			}
			want := slices.Clone(tt.want)
			sort.Strings(want)
			sort.Strings(names)
			if !slices.Equal(names, want) {
				t.Errorf("volumes %v, want %v", names, want)
			}
		})
	}

	t.Run("remove", func(t *testing.T) {
		tests := []struct {
			name   string
			vol    string
			force  bool
			status int
			msg    string
		}{
			{name: "in use", vol: "inuse", status: http.StatusConflict, msg: "remove inuse: volume is in use - [" + user + "]"},
			{name: "unknown", vol: "nosuch", status: http.StatusNotFound, msg: "get nosuch: no such volume"},
			{name: "unknown with force", vol: "nosuch", force: true, status: http.StatusNoContent},
			{name: "named", vol: "data", status: http.StatusNoContent},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := url.Values{}
				if tt.force {
					q.Set("force", "1")
				}
				rep := h.do(t, req{op: call.OpVolumeRemove, vars: name(tt.vol), query: q})
				if tt.msg != "" {
					wantError(t, rep, tt.status, tt.msg)
					return
				}
				if rep.Status != tt.status {
					t.Fatalf("status %d: %s", rep.Status, rep.Body)
				}
			})
		}
		wantError(t, h.do(t, req{op: call.OpVolumeInspect, vars: name("data")}), http.StatusNotFound, "get data: no such volume")
	})

	t.Run("prune", func(t *testing.T) {
		var rep volume.PruneReport
		h.ok(t, req{op: call.OpVolumePrune}, http.StatusOK, &rep)
		if !slices.Equal(rep.VolumesDeleted, []string{anon.Name}) {
			t.Errorf("prune removed %v, want only the anonymous %s", rep.VolumesDeleted, anon.Name)
		}
		h.ok(t, req{op: call.OpVolumePrune, query: filterQuery(map[string][]string{"all": {"true"}})}, http.StatusOK, &rep)
		if !slices.Equal(rep.VolumesDeleted, []string{"keep"}) {
			t.Errorf("prune all=true removed %v, want [keep] (inuse is in use)", rep.VolumesDeleted)
		}
		wantError(t, h.do(t, req{op: call.OpVolumePrune, query: filterQuery(map[string][]string{"name": {"x"}})}),
			http.StatusBadRequest, "invalid filter 'name'")
	})
}

func TestNetworks(t *testing.T) {
	h := newHarness(t)

	t.Run("predefined", func(t *testing.T) {
		var got []network.Summary
		h.ok(t, req{op: call.OpNetworkList}, http.StatusOK, &got)
		drivers := map[string]string{}
		for _, n := range got {
			drivers[n.Name] = n.Driver
		}
		want := map[string]string{"bridge": "bridge", "host": "host", "none": "null"}
		if !equalish(drivers, want) {
			t.Errorf("networks %v, want %v", drivers, want)
		}
	})

	var created network.CreateResponse
	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name   string
			body   any
			status int
			msg    string
		}{
			{name: "bridge", body: network.CreateRequest{Name: "net1", Labels: map[string]string{"k": "v"}}, status: http.StatusCreated},
			{name: "duplicate", body: network.CreateRequest{Name: "net1"}, status: http.StatusConflict, msg: "network with name net1 already exists"},
			{name: "duplicate of a predefined one", body: network.CreateRequest{Name: "bridge"}, status: http.StatusConflict,
				msg: "network with name bridge already exists"},
			{name: "no name", body: network.CreateRequest{}, status: http.StatusBadRequest, msg: "network name is required"},
			{name: "unsupported driver", body: network.CreateRequest{Name: "ov", Driver: "overlay"}, status: http.StatusBadRequest,
				msg: `network driver "overlay" is not supported: only "bridge" networks can be created`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rep := h.do(t, req{op: call.OpNetworkCreate, body: tt.body})
				if tt.msg != "" {
					wantError(t, rep, tt.status, tt.msg)
					return
				}
				if rep.Status != tt.status {
					t.Fatalf("status %d: %s", rep.Status, rep.Body)
				}
				mustJSON(t, rep.Body, &created)
			})
		}
	})

	t.Run("inspect", func(t *testing.T) {
		for _, ref := range []string{"net1", created.ID, created.ID[:12]} {
			var n network.Inspect
			h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": ref}}, http.StatusOK, &n)
			if n.ID != created.ID || n.Name != "net1" || n.Driver != "bridge" || n.Labels["k"] != "v" || n.Containers == nil {
				t.Errorf("inspect %s: %+v", ref, n)
			}
		}
		wantError(t, h.do(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": "nosuch"}}), http.StatusNotFound, "network nosuch not found")
	})

	t.Run("list filters", func(t *testing.T) {
		tests := []struct {
			name  string
			query url.Values
			want  []string
		}{
			{name: "custom", query: filterQuery(map[string][]string{"type": {"custom"}}), want: []string{"net1"}},
			{name: "builtin", query: filterQuery(map[string][]string{"type": {"builtin"}}), want: []string{"bridge", "host", "none"}},
			{name: "label", query: filterQuery(map[string][]string{"label": {"k=v"}}), want: []string{"net1"}},
			{name: "driver", query: filterQuery(map[string][]string{"driver": {"null"}}), want: []string{"none"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []network.Summary
				h.ok(t, req{op: call.OpNetworkList, query: tt.query}, http.StatusOK, &got)
				names := []string{}
				for _, n := range got {
					names = append(names, n.Name)
				}
				sort.Strings(names)
				if !slices.Equal(names, tt.want) {
					t.Errorf("networks %v, want %v", names, tt.want)
				}
			})
		}
		wantError(t, h.do(t, req{op: call.OpNetworkList, query: filterQuery(map[string][]string{"bogus": {"x"}})}),
			http.StatusBadRequest, "invalid filter 'bogus'")
	})

	t.Run("remove", func(t *testing.T) {
		tests := []struct {
			name, ref string
			status    int
			msg       string
		}{
			{name: "predefined bridge", ref: "bridge", status: http.StatusForbidden, msg: "bridge is a pre-defined network and cannot be removed"},
			{name: "predefined none", ref: "none", status: http.StatusForbidden, msg: "none is a pre-defined network and cannot be removed"},
			{name: "unknown", ref: "nosuch", status: http.StatusNotFound, msg: "network nosuch not found"},
			{name: "custom", ref: "net1", status: http.StatusNoContent},
			{name: "removed", ref: "net1", status: http.StatusNotFound, msg: "network net1 not found"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rep := h.do(t, req{op: call.OpNetworkRemove, vars: map[string]string{"id": tt.ref}})
				if tt.msg != "" {
					wantError(t, rep, tt.status, tt.msg)
					return
				}
				if rep.Status != tt.status {
					t.Fatalf("status %d: %s", rep.Status, rep.Body)
				}
			})
		}
		// The name is free again.
		h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: "net1"}}, http.StatusCreated, nil)
	})

	t.Run("prune keeps the predefined networks", func(t *testing.T) {
		var rep network.PruneReport
		h.ok(t, req{op: call.OpNetworkPrune}, http.StatusOK, &rep)
		if !slices.Equal(rep.NetworksDeleted, []string{"net1"}) {
			t.Errorf("pruned %v, want [net1]", rep.NetworksDeleted)
		}
		var got []network.Summary
		h.ok(t, req{op: call.OpNetworkList}, http.StatusOK, &got)
		if len(got) != 3 {
			t.Errorf("%d networks after prune, want the 3 predefined", len(got))
		}
	})
}
