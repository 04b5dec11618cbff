package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/osproc"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
)

// rig is the edge with the real agent hub, real agents running real
// processes (osproc), and the real moby client; only the function is
// fakeFunction. It records the exits the edge reports.
type rig struct {
	f      *fakeFunction
	hub    *hub.Hub
	edge   *httptest.Server
	hubURL string
	cli    *client.Client

	mu       sync.Mutex
	exits    map[string]int // container → code, from OpContainerExited
	execExit map[string]int // exec → code, from OpExecExited
	exitWake chan struct{}
}

// newRig builds the rig; answer serves the Docker ops of a test.
func newRig(t *testing.T, answer func(r *rig, c call.Call) call.Reply) *rig {
	t.Helper()
	r := &rig{exits: map[string]int{}, execExit: map[string]int{}, exitWake: make(chan struct{})}
	r.f = &fakeFunction{reply: func(c call.Call) call.Reply {
		switch c.Op {
		case call.OpAgentAuth:
			var req call.AgentAuth
			_ = json.Unmarshal(c.Body, &req)
			if req.Token != "tok-"+req.Container {
				return call.Reply{Status: 401, Body: []byte(`{"message":"bad token"}`)}
			}
			return call.Reply{Status: 204}
		case call.OpContainerExited:
			var body call.ExitReport
			_ = json.Unmarshal(c.Body, &body)
			r.record(r.exits, c.Var("id"), body.ExitCode)
			// Every rig container runs once; those named rm-* run with --rm.
			rec, _ := json.Marshal(call.ExitRecorded{Recorded: true, Starts: 1, AutoRemove: strings.HasPrefix(c.Var("id"), "rm-")})
			return call.Reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: rec}
		case call.OpExecExited:
			var body call.ExecExit
			_ = json.Unmarshal(c.Body, &body)
			r.record(r.execExit, c.Var("id"), body.ExitCode)
			return call.Reply{Status: 204}
		}
		return answer(r, c)
	}}
	r.hub = hub.New(AgentAuthorizer(r.f))
	mux := http.NewServeMux()
	mux.Handle("/agent/v1/connect", r.hub)
	hubSrv := httptest.NewServer(mux)
	t.Cleanup(hubSrv.Close)
	r.hubURL = "ws" + strings.TrimPrefix(hubSrv.URL, "http") + "/agent/v1/connect"

	s := New(Config{Handler: r.f, Hub: r.hub})
	r.edge = httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		r.edge.Close()
	})
	cli, err := client.New(client.WithHost("tcp://"+strings.TrimPrefix(r.edge.URL, "http://")), client.WithAPIVersion("1.52"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	r.cli = cli
	return r
}

// record notes an exit the edge reported, and wakes exitOf.
func (r *rig) record(m map[string]int, id string, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m[id] = code
	close(r.exitWake)
	r.exitWake = make(chan struct{})
}

// runAgent runs a real agent for container id with main as its main
// process, until the test ends.
func (r *rig) runAgent(t *testing.T, id string, main proto.ProcessSpec) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := agent.Run(ctx, agent.Config{
			EdgeURL: r.hubURL, ContainerID: id, Token: "tok-" + id,
			Main: main, Runtime: osproc.Runtime{WaitDelay: 200 * time.Millisecond},
		})
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return done
}

// waitSession blocks until id's agent is connected.
func (r *rig) waitSession(t *testing.T, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.hub.Session(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// exitOf waits for the recorded exit code of a container (or, with
// exec, of an exec).
func (r *rig) exitOf(t *testing.T, id string, exec bool) int {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		m := r.exits
		if exec {
			m = r.execExit
		}
		code, ok := m[id]
		wake := r.exitWake
		r.mu.Unlock()
		if ok {
			return code
		}
		select {
		case <-wake:
		case <-deadline:
			t.Fatalf("no exit recorded for %s", id)
		}
	}
}

// recorded reports whether an exit is recorded now, without waiting.
func (r *rig) recorded(id string, exec bool) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.exits
	if exec {
		m = r.execExit
	}
	code, ok := m[id]
	return code, ok
}

func sh(script string) proto.ProcessSpec {
	return proto.ProcessSpec{Args: []string{"/bin/sh", "-c", script}}
}
