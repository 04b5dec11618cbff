package core_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// An attach with logs=1 carries the stored output, framed as the stream
// is and filtered by stdout/stderr; without stream=1 that is the whole
// answer (Done), which ends docker-py's attach(stream=False, logs=True)
// instead of holding it open.
func TestAttachLogs(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "talker", "app:v1", nil)
	h.starts.logs = func(cursor string) ([]core.LogEntry, string, error) {
		if cursor != "" {
			return nil, cursor, nil
		}
		return []core.LogEntry{
			{Stream: 1, Time: time.Unix(1, 0), Data: []byte("hel")},
			{Stream: 2, Time: time.Unix(2, 0), Data: []byte("oops\n")},
			{Stream: 1, Time: time.Unix(3, 0), Data: []byte("lo\n")},
		}, "end", nil
	}
	frame := func(stream byte, s string) []byte {
		return append([]byte{stream, 0, 0, 0, 0, 0, 0, byte(len(s))}, s...)
	}
	for _, tc := range []struct {
		name  string
		query url.Values
		body  []byte
		done  bool
	}{
		{"logs without stream is the stored output and the end", url.Values{"logs": {"1"}, "stdout": {"1"}, "stderr": {"1"}},
			append(frame(2, "oops\n"), frame(1, "hello\n")...), true},
		{"stdout only leaves stderr out", url.Values{"logs": {"1"}, "stdout": {"1"}},
			frame(1, "hello\n"), true},
		{"logs with stream goes on after the stored output", url.Values{"logs": {"1"}, "stream": {"1"}, "stdout": {"1"}},
			frame(1, "hello\n"), false},
		{"stream alone sends no past output", url.Values{"stream": {"1"}, "stdout": {"1"}},
			nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := h.ok(t, req{op: call.OpContainerAttach, vars: map[string]string{"name": id}, query: tc.query}, http.StatusOK, nil)
			if !bytes.Equal(rep.Body, tc.body) {
				t.Errorf("body %q, want %q", rep.Body, tc.body)
			}
			if rep.Stream == nil || rep.Stream.Done != tc.done {
				t.Errorf("stream %+v, want done %v", rep.Stream, tc.done)
			}
		})
	}
}

// The detach sequence reaches the edge as bytes, dockerd's default when
// the client names none; a sequence Docker cannot read is a 400.
func TestAttachDetachKeys(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "shell", "app:v1", func(cr *container.CreateRequest) {
		cr.Config.Tty, cr.Config.OpenStdin = true, true
	})
	for _, tc := range []struct {
		name string
		keys string
		want []byte
		err  string
	}{
		{"none named is ctrl-p ctrl-q", "", []byte{16, 17}, ""},
		{"ctrl letters and plain characters", "ctrl-x,a,ctrl-@,ctrl-_", []byte{24, 'a', 0, 31}, ""},
		{"an unknown key is refused", "ctrl-pp", nil, "Invalid detach keys (ctrl-pp) provided: Unknown character: 'ctrl-pp'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"stream": {"1"}, "stdin": {"1"}, "stdout": {"1"}}
			if tc.keys != "" {
				q.Set("detachKeys", tc.keys)
			}
			rep := h.do(t, req{op: call.OpContainerAttach, vars: map[string]string{"name": id}, query: q})
			if tc.err != "" {
				wantError(t, rep, http.StatusBadRequest, tc.err)
				return
			}
			if rep.Status != http.StatusOK || !bytes.Equal(rep.Stream.DetachKeys, tc.want) {
				t.Errorf("status %d, detach keys %v, want %v", rep.Status, rep.Stream.DetachKeys, tc.want)
			}
		})
	}
}

// An exec's stream is framed as its start request says, whatever the
// create request asked for the process: dockerd multiplexes unless the
// start asks for a TTY, and clients (docker-py) read it that way.
func TestExecStreamFramedByStart(t *testing.T) {
	h := runningBox(t)
	for _, tc := range []struct {
		name            string
		createTTY, sTTY bool
	}{
		{"a TTY process started without one is multiplexed", true, false},
		{"a TTY process started with one is raw", true, true},
		{"a plain process started with a TTY is raw", false, true},
		{"a plain process started without one is multiplexed", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var x container.ExecCreateResponse
			h.ok(t, req{op: call.OpExecCreate, vars: name("box"), body: container.ExecCreateRequest{
				Cmd: []string{"echo", "hi"}, Tty: tc.createTTY, AttachStdout: true}}, http.StatusCreated, &x)
			rep := h.ok(t, req{op: call.OpExecStart, vars: map[string]string{"id": x.ID},
				body: container.ExecStartRequest{Tty: tc.sTTY}}, http.StatusOK, nil)
			var spec proto.ProcessSpec
			if err := json.Unmarshal(rep.Stream.Spec, &spec); err != nil {
				t.Fatal(err)
			}
			if rep.Stream.TTY != tc.sTTY || spec.TTY != tc.createTTY {
				t.Errorf("framing TTY %v, process TTY %v; want %v, %v", rep.Stream.TTY, spec.TTY, tc.sTTY, tc.createTTY)
			}
		})
	}
}

// A TTY exec with stdin carries its detach sequence to the edge (the
// create request's, else dockerd's default); a bad one fails the start.
func TestExecDetachKeys(t *testing.T) {
	h := runningBox(t)
	for _, tc := range []struct {
		name       string
		keys       string
		tty, stdin bool
		want       []byte
		status     int
	}{
		{"default on a TTY with stdin", "", true, true, []byte{16, 17}, http.StatusOK},
		{"the create request's", "ctrl-x", true, true, []byte{24}, http.StatusOK},
		{"none without a TTY", "ctrl-x", false, true, nil, http.StatusOK},
		{"none without stdin", "", true, false, nil, http.StatusOK},
		{"a bad sequence fails the start", "ctrl-xx", true, true, nil, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var x container.ExecCreateResponse
			h.ok(t, req{op: call.OpExecCreate, vars: name("box"), body: container.ExecCreateRequest{
				Cmd: []string{"cat"}, Tty: tc.tty, AttachStdin: tc.stdin, AttachStdout: true, DetachKeys: tc.keys}}, http.StatusCreated, &x)
			rep := h.do(t, req{op: call.OpExecStart, vars: map[string]string{"id": x.ID}, body: container.ExecStartRequest{Tty: tc.tty}})
			if rep.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", rep.Status, tc.status, rep.Body)
			}
			if rep.Stream != nil && !bytes.Equal(rep.Stream.DetachKeys, tc.want) {
				t.Errorf("detach keys %v, want %v", rep.Stream.DetachKeys, tc.want)
			}
		})
	}
}

// runningBox is a harness with a container named box started.
func runningBox(t *testing.T) *harness {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	h.create(t, "box", "app:v1", nil)
	h.ok(t, req{op: call.OpContainerStart, vars: name("box")}, http.StatusNoContent, nil)
	return h
}
