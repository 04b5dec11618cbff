package core_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// followBuild does what the edge does with a build stream: it calls
// again with the cursor, at the edge's interval, until Done, and
// returns every body joined. each, when set, sees the stream so far
// after every call and may stop following by returning false.
func (h *harness) followBuild(t *testing.T, rep call.Reply, each func(sofar []byte) bool) []byte {
	t.Helper()
	body := bytes.Clone(rep.Body)
	for st := rep.Stream; st != nil && !st.Done; st = rep.Stream {
		if st.Kind != call.StreamBuild {
			t.Fatalf("stream kind %q, want %q", st.Kind, call.StreamBuild)
		}
		if each != nil && !each(body) {
			return body
		}
		time.Sleep(100 * time.Millisecond)
		rep = h.ok(t, req{op: call.OpBuild, query: url.Values{call.QueryCursor: {st.Cursor}}}, http.StatusOK, nil)
		body = append(body, rep.Body...)
	}
	return body
}

func TestBuildProgressStreamsWhileTheBuildRuns(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1")
	df := "FROM base:1\nRUN echo first && sleep 2 && echo second\n"
	start := time.Now()
	rep := h.ok(t, req{op: call.OpBuild, query: url.Values{"t": {"slow:1"}}, body: contextTar(t, map[string]string{"Dockerfile": df})}, http.StatusOK, nil)
	if rep.Stream == nil || rep.Stream.Done {
		t.Fatalf("first reply has stream %+v, want a build stream to follow", rep.Stream)
	}
	var sawFirst time.Duration
	body := h.followBuild(t, rep, func(sofar []byte) bool {
		if sawFirst == 0 && bytes.Contains(sofar, []byte(`"first\n"`)) {
			sawFirst = time.Since(start)
			if bytes.Contains(sofar, []byte(`"second\n"`)) {
				t.Errorf("first and second arrived together:\n%s", sofar)
			}
			if !bytes.Contains(sofar, []byte("Step 2/2 : RUN echo first")) {
				t.Errorf("RUN output before its step header:\n%s", sofar)
			}
		}
		return true
	})
	total := time.Since(start)
	if sawFirst == 0 || total-sawFirst < time.Second {
		t.Errorf("saw \"first\" after %v of a %v build: it should stream before the 2s sleep ends", sawFirst, total)
	}
	for _, want := range []string{`"second\n"`, "Successfully built ", "Successfully tagged slow:1"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("stream lacks %q:\n%s", want, body)
		}
	}
}

func TestBuildCancelStopsTheJob(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1")
	df := "FROM base:1\nRUN echo started && sleep 30\n"
	rep := h.ok(t, req{op: call.OpBuild, query: url.Values{"t": {"cancelled:1"}}, body: contextTar(t, map[string]string{"Dockerfile": df})}, http.StatusOK, nil)
	h.followBuild(t, rep, func(sofar []byte) bool { return !bytes.Contains(sofar, []byte("started")) })
	// What the edge sends when the client leaves.
	stop := h.ok(t, req{op: call.OpBuild, query: url.Values{call.QueryCursor: {rep.Stream.Cursor}, call.QueryCancel: {"1"}}}, http.StatusOK, nil)
	if stop.Stream == nil || !stop.Stream.Done {
		t.Fatalf("cancel reply stream %+v, want Done", stop.Stream)
	}
	start := time.Now()
	body := h.followBuild(t, rep, nil)
	if time.Since(start) > 10*time.Second {
		t.Errorf("the build ended %v after the cancel", time.Since(start))
	}
	if !bytes.Contains(body, []byte(`"errorDetail"`)) || strings.Contains(string(body), "Successfully built") {
		t.Errorf("a cancelled build's stream should end with an error:\n%s", body)
	}
	wantError(t, h.do(t, req{op: call.OpImageInspect, vars: name("cancelled:1")}), http.StatusNotFound, "No such image: cancelled:1")
}

func TestBuildCursorOfNoJob(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, cursor string
		status       int
	}{
		{"malformed", "nope", http.StatusBadRequest},
		{"not a job id", "../../image/x/", http.StatusBadRequest},
		{"unknown job", strings.Repeat("a", 64) + "/", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpBuild, query: url.Values{call.QueryCursor: {tt.cursor}}})
			if rep.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", rep.Status, tt.status, rep.Body)
			}
			if tt.status == http.StatusOK && (rep.Stream == nil || !rep.Stream.Done || !bytes.Contains(rep.Body, []byte("the build stopped without finishing"))) {
				t.Errorf("a job nobody runs must end its stream with an error: %+v %s", rep.Stream, rep.Body)
			}
		})
	}
}
