package core_test

// What inspect and list show where dockerd's shape differed under compose.

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// TestVolumeBindMode: a named volume's mount point keeps the mode its
// bind spec gave (compose writes "name:/path:rw"), as dockerd shows it;
// without one it is dockerd's default.
func TestVolumeBindMode(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "base:1")
	for _, c := range []struct {
		bind, mode string
		rw         bool
	}{
		{"v1:/data", "z", true},
		{"v2:/data:rw", "rw", true},
		{"v3:/data:ro", "ro", false},
	} {
		t.Run(c.bind, func(t *testing.T) {
			id := h.create(t, "", img, func(r *container.CreateRequest) {
				r.HostConfig = &container.HostConfig{Binds: []string{c.bind}}
			})
			ms := h.inspect(t, id).Mounts
			if len(ms) != 1 || ms[0].Mode != c.mode || ms[0].RW != c.rw {
				t.Errorf("mounts %+v, want mode %q rw %v", ms, c.mode, c.rw)
			}
		})
	}
}

// TestListCommandQuotesArgs: the list's Command quotes an argument with
// a space, as dockerd does (docker ps and compose ps show it).
func TestListCommandQuotesArgs(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "base:1")
	h.create(t, "", img, func(r *container.CreateRequest) { r.Config.Cmd = []string{"sh", "-c", "echo a b; true"} })
	var list []container.Summary
	h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &list)
	if len(list) != 1 || list[0].Command != "sh -c 'echo a b; true'" {
		t.Errorf("list %+v, want Command %q", list, "sh -c 'echo a b; true'")
	}
}
