package core_test

import (
	"net/http"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/sockerless/sockerless/functions/call"
)

// TestBindForms proves Binds are read as dockerd reads them: a bare
// container path, or one with only a mode, is an anonymous volume (act
// passes a job container's `volumes: [/path]` so); a name or host path
// before it binds that; anything else is refused.
func TestBindForms(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	cases := []struct {
		name     string
		bind     string
		typ      mount.Type
		dst      string
		rw       bool
		volName  string // "" for an anonymous volume's generated name
		errorMsg string
	}{
		{name: "bare path is an anonymous volume", bind: "/path/to/nonexist", typ: mount.TypeVolume, dst: "/path/to/nonexist", rw: true},
		{name: "path with a mode is an anonymous volume", bind: "/cache:ro", typ: mount.TypeVolume, dst: "/cache"},
		{name: "named volume", bind: "data:/data", typ: mount.TypeVolume, dst: "/data", rw: true, volName: "data"},
		{name: "host path", bind: "/tmp:/host/tmp:ro", typ: mount.TypeBind, dst: "/host/tmp"},
		{name: "too many parts", bind: "a:/b:ro:x", errorMsg: "invalid volume specification: 'a:/b:ro:x'"},
		{name: "relative bare path", bind: "rel", errorMsg: "invalid mount config: mount path must be absolute: rel"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := container.CreateRequest{Config: &container.Config{Image: "app:v1", Cmd: []string{"/bin/sh"}}, HostConfig: &container.HostConfig{Binds: []string{c.bind}}}
			if c.errorMsg != "" {
				wantError(t, h.do(t, req{op: call.OpContainerCreate, body: body}), http.StatusBadRequest, c.errorMsg)
				return
			}
			var out container.CreateResponse
			h.ok(t, req{op: call.OpContainerCreate, body: body}, http.StatusCreated, &out)
			ms := h.inspect(t, out.ID).Mounts
			if len(ms) != 1 {
				t.Fatalf("mounts %+v, want one", ms)
			}
			m := ms[0]
			if m.Type != c.typ || m.Destination != c.dst || m.RW != c.rw {
				t.Errorf("mount %+v, want type %s at %s, rw %v", m, c.typ, c.dst, c.rw)
			}
			if c.typ == mount.TypeVolume && c.volName != "" && m.Name != c.volName {
				t.Errorf("volume %q, want %q", m.Name, c.volName)
			}
			if c.typ == mount.TypeVolume && c.volName == "" && len(m.Name) != 64 {
				t.Errorf("anonymous volume named %q, want a generated 64-hex name", m.Name)
			}
		})
	}
}
