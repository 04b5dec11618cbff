package core_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// A log larger than one reply carries comes in several calls, each
// continuing from the cursor, and all of it arrives; --tail still sees
// the whole log.
func TestLogsArePaged(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "chatty", "app:v1", nil)
	line := append(bytes.Repeat([]byte("x"), 1<<20-1), '\n') // 1 MiB lines
	const pages = 5
	h.starts.logs = func(cursor string) ([]core.LogEntry, string, error) {
		n, _ := strconv.Atoi(cursor)
		if n >= pages {
			return nil, cursor, nil
		}
		return []core.LogEntry{{Stream: 1, Time: time.Unix(int64(n), 0), Data: line}}, strconv.Itoa(n + 1), nil
	}
	logs := func(q url.Values) call.Reply {
		q.Set("stdout", "1")
		return h.do(t, req{op: call.OpContainerLogs, vars: map[string]string{"name": id}, query: q})
	}

	var total, calls int
	q := url.Values{}
	for {
		rep := logs(q)
		if rep.Status != http.StatusOK || rep.Stream == nil {
			t.Fatalf("logs: %d %s", rep.Status, rep.Body)
		}
		calls++
		total += len(rep.Body)
		if len(rep.Body) > 4<<20 {
			t.Fatalf("one reply carries %d bytes", len(rep.Body))
		}
		if rep.Stream.Done {
			break
		}
		q = url.Values{call.QueryCursor: {rep.Stream.Cursor}}
		if calls > pages {
			t.Fatal("logs never done")
		}
	}
	if want := pages * (len(line) + 8); total != want || calls < 2 {
		t.Errorf("%d bytes in %d calls, want %d bytes in several", total, calls, want)
	}

	rep := logs(url.Values{"tail": {"1"}})
	if len(rep.Body) != len(line)+8 || !rep.Stream.Done {
		t.Errorf("tail 1: %d bytes, done %v", len(rep.Body), rep.Stream.Done)
	}
}

// The log of a stopped container is read once its workload has ended:
// the agent reports the exit first, and a runtime may store the last
// output only as the workload ends (a Docker Engine's log copier lags).
func TestLogsOfAStoppedContainerWaitForItsWorkload(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "done", "app:v1", nil)
	h.ok(t, req{op: call.OpContainerStart, vars: name("done")}, http.StatusNoContent, nil)
	h.ok(t, req{op: call.OpContainerExited, vars: map[string]string{"id": id}, body: call.ExitReport{ExitCode: 0}}, http.StatusOK, nil)
	const lag = 300 * time.Millisecond
	go func() {
		time.Sleep(lag)
		_ = h.starts.Stop(context.Background(), id)
	}()
	began := time.Now()
	h.ok(t, req{op: call.OpContainerLogs, vars: name("done"), query: url.Values{"stdout": {"1"}}}, http.StatusOK, nil)
	if took := time.Since(began); took < lag {
		t.Errorf("logs answered after %v, before the workload ended (%v)", took, lag)
	}
	if st, err := h.starts.Status(t.Context(), id); err != nil || st.Running {
		t.Errorf("workload after logs: %+v %v, want ended", st, err)
	}
}
