package core_test

import (
	"testing"

	"github.com/moby/moby/api/types/container"
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
