package core_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// TestExitReportLeavesRemovalToTheEdge follows a --rm container through
// the agent's exit report: the report records the exit and says the
// edge is to remove it, waits name the exit that ends them, and the
// removal the edge asks for afterwards leaves the code for late waiters.
func TestExitReportLeavesRemovalToTheEdge(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "rm", "app:v1", autoRemove)
	h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)

	wait := func(cond container.WaitCondition, cursor string) call.Reply {
		q := url.Values{"condition": {string(cond)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		return h.do(t, req{op: call.OpContainerWait, vars: name(id), query: q})
	}
	removed := wait(container.WaitConditionRemoved, "")
	if removed.Stream == nil || removed.Stream.ExitOf != 0 {
		t.Fatalf("wait removed: stream %+v, want one that only the removal ends", removed.Stream)
	}
	if running := wait(container.WaitConditionNotRunning, ""); running.Stream == nil || running.Stream.ExitOf != 1 {
		t.Fatalf("wait not-running: stream %+v, want one the exit of start 1 ends", running.Stream)
	}
	attach := h.do(t, req{op: call.OpContainerAttach, vars: name(id), query: url.Values{"stream": {"1"}, "stdout": {"1"}}})
	if attach.Stream == nil || attach.Stream.ExitOf != 1 || attach.Stream.Cursor == "" {
		t.Fatalf("attach: stream %+v, want the exit of start 1 and a wait cursor", attach.Stream)
	}

	report := req{op: call.OpContainerExited, vars: map[string]string{"id": id}, body: call.ExitReport{ExitCode: 3}}
	var rec call.ExitRecorded
	h.ok(t, report, http.StatusOK, &rec)
	if rec != (call.ExitRecorded{Recorded: true, Starts: 1, AutoRemove: true}) {
		t.Fatalf("exit report answered %+v", rec)
	}
	if got := h.inspect(t, id); got.State.Status != container.StateExited || got.State.ExitCode != 3 {
		t.Fatalf("after the report the container is %q with %d, want exited with 3, still there", got.State.Status, got.State.ExitCode)
	}
	if next := wait(container.WaitConditionNextExit, ""); next.Stream == nil || next.Stream.ExitOf != 2 {
		t.Fatalf("wait next-exit of an exited container: stream %+v, want the exit of start 2", next.Stream)
	}
	rec = call.ExitRecorded{}
	h.ok(t, report, http.StatusOK, &rec)
	if rec.Recorded {
		t.Fatalf("a repeated report answered %+v, want nothing recorded", rec)
	}

	remove := req{op: call.OpContainerAutoRemove, vars: map[string]string{"id": id}}
	var done call.AutoRemoved
	h.ok(t, remove, http.StatusOK, &done)
	if done != (call.AutoRemoved{Removed: true, ExitCode: 3}) {
		t.Fatalf("removal answered %+v", done)
	}
	if late := wait(container.WaitConditionRemoved, removed.Stream.Cursor); late.Stream != nil || string(late.Body) != `{"StatusCode":3}` {
		t.Fatalf("wait removed after the removal: %+v %s", late.Stream, late.Body)
	}
	done = call.AutoRemoved{}
	h.ok(t, remove, http.StatusOK, &done)
	if done.Removed {
		t.Fatalf("a second removal answered %+v", done)
	}
}

// TestOverdueAutoRemove: an exited --rm container whose edge never asked
// for its removal (it died after the report) goes at the next call that
// reconciles it, once autoRemoveGrace has passed.
func TestOverdueAutoRemove(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	h := newHarnessWith(t, func(cfg *core.Config) {
		cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	h.importImage(t, "app:v1")
	id := h.create(t, "rm", "app:v1", autoRemove)
	h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)
	h.ok(t, req{op: call.OpContainerExited, vars: map[string]string{"id": id}, body: call.ExitReport{ExitCode: 4, FinishedAt: now}}, http.StatusOK, nil)

	list := func() []container.Summary {
		var out []container.Summary
		h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &out)
		return out
	}
	if got := list(); len(got) != 1 {
		t.Fatalf("within the grace the container is listed %d times, want once", len(got))
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if got := list(); len(got) != 0 {
		t.Fatalf("past the grace %d containers are listed, want none", len(got))
	}
	wantError(t, h.do(t, req{op: call.OpContainerInspect, vars: name(id)}), http.StatusNotFound, "No such container: "+id)
}

func autoRemove(r *container.CreateRequest) {
	r.HostConfig = &container.HostConfig{AutoRemove: true}
}
