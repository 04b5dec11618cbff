package core_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// bindCopying is the harness's driver declaring that it cannot mount
// binds and holds main for the edge's copies, as a remote backend does.
type bindCopying struct{ *startRecorder }

func (bindCopying) CopiesBinds() bool { return true }

// TestCopiedBinds: on a backend that copies binds, the driver gets no
// bind mounts and holds main, and the start's reply tells the edge which
// binds to copy; elsewhere the driver mounts them and nothing changes.
func TestCopiedBinds(t *testing.T) {
	src, ro := t.TempDir(), t.TempDir()
	tests := []struct {
		name       string
		copies     bool
		wantBinds  []call.Bind
		wantMounts []string
		wantHold   bool
	}{
		{name: "a copying backend gets the volumes only and holds main", copies: true,
			wantBinds:  []call.Bind{{Source: src, Target: "/work"}, {Source: ro, Target: "/ro", ReadOnly: true}},
			wantMounts: []string{"/data"}, wantHold: true},
		{name: "a mounting backend gets every mount", wantMounts: []string{"/work", "/ro", "/data"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessWith(t, func(cfg *core.Config) {
				if tc.copies {
					cfg.Compute = bindCopying{cfg.Compute.(*startRecorder)}
				}
			})
			h.importImage(t, "app:v1")
			id := h.create(t, "binds", "app:v1", func(cr *container.CreateRequest) {
				cr.Config.Cmd = []string{"true"}
				cr.HostConfig = &container.HostConfig{}
				cr.HostConfig.Binds = []string{src + ":/work", ro + ":/ro:ro", "vol:/data"}
			})
			rep := h.do(t, req{op: call.OpContainerStart, vars: name(id)})
			if rep.Status != http.StatusNoContent || rep.Stream == nil || rep.Stream.Kind != call.StreamStarted {
				t.Fatalf("start: %d %s %+v", rep.Status, rep.Body, rep.Stream)
			}
			if !slices.Equal(rep.Stream.Binds, tc.wantBinds) {
				t.Errorf("binds to copy %+v, want %+v", rep.Stream.Binds, tc.wantBinds)
			}
			w := h.starts.last()
			var targets []string
			for _, m := range w.Mounts {
				targets = append(targets, m.Target)
			}
			if !slices.Equal(targets, tc.wantMounts) || w.HoldMain != tc.wantHold {
				t.Errorf("driver got mounts %v, hold %v; want %v, %v", targets, w.HoldMain, tc.wantMounts, tc.wantHold)
			}
			h.do(t, req{op: call.OpContainerKill, vars: name(id)})
		})
	}
}
