package core_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state"
)

// A process restarted alone on its store, its workloads gone with the
// one before: RecoverAlone records every running container's exit, a
// start that died before its launch included, and deletes the records
// of creates that died before their name.
func TestRecoverAlone(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "")
	ctx := t.Context()
	running := h.create(t, "running", img, nil)
	h.ok(t, req{op: call.OpContainerStart, vars: name(running)}, http.StatusNoContent, nil)
	launching := h.create(t, "launching", img, nil)
	started := startHeld(t, h, launching) // never let go: it dies mid-launch
	created := h.create(t, "created", img, nil)

	// A create that died between its record and its name.
	rec, err := h.cfg.Store.Get(ctx, "container/"+created)
	if err != nil {
		t.Fatal(err)
	}
	var orphan map[string]any
	if err := json.Unmarshal(rec.Value, &orphan); err != nil {
		t.Fatal(err)
	}
	orphanID := strings.Repeat("0", 64)
	orphan["ID"], orphan["Name"] = orphanID, "/orphan"
	b, _ := json.Marshal(orphan)
	if _, err := h.cfg.Store.Put(ctx, "container/"+orphanID, b, 0, 0); err != nil {
		t.Fatal(err)
	}

	if err := core.New(h.cfg).RecoverAlone(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{running, launching} {
		st := h.inspect(t, id).State
		if st.Status != container.StateExited || st.ExitCode != 255 || st.Error == "" {
			t.Errorf("%s after recovery: %s, exit %d, error %q; want exited 255 with the reason", id[:12], st.Status, st.ExitCode, st.Error)
		}
	}
	if st := h.inspect(t, created).State; st.Status != container.StateCreated {
		t.Errorf("a created container after recovery: %s", st.Status)
	}
	if _, err := h.cfg.Store.Get(ctx, "container/"+orphanID); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("the record of a create that died before its name: %v, want it deleted", err)
	}
	h.consistent(t, core.Leftovers{})
	close(h.starts.hold)
	<-started
}
