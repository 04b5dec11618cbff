package core_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// Operations that need a running container, tried on one that was
// only created.

func TestContainerWaitKillStopOnCreated(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "idle", "app:v1", nil)

	tests := []struct {
		name      string
		op        string
		target    string // container; "idle" when empty
		query     url.Values
		status    int
		msg       string // error message; "" for none
		body      string // exact body when not an error
		waitAgain bool   // the reply hands the edge a wait stream
	}{
		{name: "wait not-running returns at once", op: call.OpContainerWait,
			query: url.Values{"condition": {"not-running"}}, status: http.StatusOK, body: `{"StatusCode":0}`},
		{name: "wait with no condition is not-running", op: call.OpContainerWait, status: http.StatusOK, body: `{"StatusCode":0}`},
		{name: "wait next-exit keeps waiting", op: call.OpContainerWait,
			query: url.Values{"condition": {"next-exit"}}, status: http.StatusOK, waitAgain: true},
		{name: "wait with an invalid condition", op: call.OpContainerWait,
			query: url.Values{"condition": {"bogus"}}, status: http.StatusBadRequest, msg: `invalid condition: "bogus"`},
		{name: "wait on an unknown container", op: call.OpContainerWait, target: "nosuch",
			status: http.StatusNotFound, msg: "No such container: nosuch"},
		{name: "kill a container that is not running", op: call.OpContainerKill, status: http.StatusConflict,
			msg: "cannot kill container: idle: container " + id + " is not running"},
		{name: "stop a container that is not running", op: call.OpContainerStop, status: http.StatusNotModified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "idle"
			if tt.target != "" {
				target = tt.target
			}
			rep := h.do(t, req{op: tt.op, vars: name(target), query: tt.query})
			if tt.msg != "" {
				wantError(t, rep, tt.status, tt.msg)
				return
			}
			if rep.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", rep.Status, tt.status, rep.Body)
			}
			if tt.waitAgain {
				if rep.Stream == nil || rep.Stream.Kind != call.StreamWait || rep.Stream.Container != id || rep.Stream.Cursor == "" {
					t.Errorf("stream %+v, want a wait stream on %s with a cursor", rep.Stream, id)
				}
				return
			}
			if rep.Stream != nil {
				t.Errorf("unexpected stream %+v", rep.Stream)
			}
			if string(rep.Body) != tt.body {
				t.Errorf("body %q, want %q", rep.Body, tt.body)
			}
		})
	}
	if got := h.inspect(t, id); got.State.Status != container.StateCreated {
		t.Errorf("after kill/stop the container is %q, want created", got.State.Status)
	}
}

func TestExecOnCreatedContainer(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "idle", "app:v1", nil)

	tests := []struct {
		name   string
		r      req
		status int
		msg    string
	}{
		{name: "create on a container that is not running",
			r:      req{op: call.OpExecCreate, vars: name("idle"), body: container.ExecCreateRequest{Cmd: []string{"ls"}}},
			status: http.StatusConflict, msg: "container " + id + " is not running"},
		{name: "create without a command",
			r:      req{op: call.OpExecCreate, vars: name("idle"), body: container.ExecCreateRequest{}},
			status: http.StatusBadRequest, msg: "No exec command specified"},
		{name: "create on an unknown container",
			r:      req{op: call.OpExecCreate, vars: name("nosuch"), body: container.ExecCreateRequest{Cmd: []string{"ls"}}},
			status: http.StatusNotFound, msg: "No such container: nosuch"},
		{name: "inspect unknown", r: req{op: call.OpExecInspect, vars: map[string]string{"id": "nosuch"}},
			status: http.StatusNotFound, msg: "No such exec instance: nosuch"},
		{name: "start unknown", r: req{op: call.OpExecStart, vars: map[string]string{"id": "nosuch"}},
			status: http.StatusNotFound, msg: "No such exec instance: nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.do(t, tt.r), tt.status, tt.msg)
		})
	}
	if got := h.inspect(t, id); len(got.ExecIDs) != 0 {
		t.Errorf("refused execs were recorded: %v", got.ExecIDs)
	}
}

// A kill reads the signal as Docker does and hands the edge Linux's
// number, whatever the OS the function runs on.
func TestKillSignalForms(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "svc", "app:v1", nil)
	h.ok(t, req{op: call.OpContainerStart, vars: name("svc")}, http.StatusNoContent, nil)

	tests := []struct {
		name   string
		signal string // "" sends none
		want   string // the stream's signal; "" when the kill is refused
		msg    string
		// stops: the edge stops the container before answering, as
		// dockerd answers a SIGKILL only once the container is down.
		stops bool
	}{
		{name: "no signal is SIGKILL and waits for the stop", want: "9", stops: true},
		{name: "KILL by name waits for the stop too", signal: "KILL", want: "9", stops: true},
		{name: "SIG name", signal: "SIGUSR1", want: "10"},
		{name: "bare lower-case name", signal: "hup", want: "1"},
		{name: "number", signal: "15", want: "15"},
		{name: "Linux-only name", signal: "SIGPWR", want: "30"},
		{name: "real-time signal", signal: "SIGRTMIN+3", want: "37"},
		{name: "unknown name", signal: "NOPE", msg: "invalid signal: NOPE"},
		{name: "number past Linux's last", signal: "65", msg: "invalid signal: 65"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q url.Values
			if tt.signal != "" {
				q = url.Values{"signal": {tt.signal}}
			}
			rep := h.do(t, req{op: call.OpContainerKill, vars: name("svc"), query: q})
			if tt.msg != "" {
				wantError(t, rep, http.StatusBadRequest, tt.msg)
				return
			}
			kind := call.StreamSignal
			if tt.stops {
				kind = call.StreamStop
			}
			if s := rep.Stream; rep.Status != http.StatusNoContent || s == nil || s.Kind != kind || s.Container != id || s.Signal != tt.want {
				t.Fatalf("reply %d %+v, want a %s stream with %s", rep.Status, s, kind, tt.want)
			}
		})
	}
}

// docker pause needs a backend that can freeze a workload; the sandbox
// cannot, and says so, and a container in the wrong state gets
// dockerd's 409.
func TestPauseRefusals(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	created := h.create(t, "idle", "app:v1", nil)
	h.create(t, "svc", "app:v1", nil)
	h.ok(t, req{op: call.OpContainerStart, vars: name("svc")}, http.StatusNoContent, nil)
	for _, tc := range []struct {
		name string
		r    req
		code int
		msg  string
	}{
		{"pause a container that is not running", req{op: call.OpContainerPause, vars: name("idle")}, http.StatusConflict,
			"Container " + created + " is not running"},
		{"unpause a container that is not paused", req{op: call.OpContainerUnpause, vars: name("svc")}, http.StatusConflict, ""},
		{"pause on a backend that cannot", req{op: call.OpContainerPause, vars: name("svc")}, http.StatusNotImplemented,
			"the local backend cannot pause containers: its runtime has no way to freeze a workload's processes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := h.do(t, tc.r)
			if tc.msg == "" {
				if rep.Status != tc.code {
					t.Errorf("status %d, want %d: %s", rep.Status, tc.code, rep.Body)
				}
				return
			}
			wantError(t, rep, tc.code, tc.msg)
		})
	}
}
