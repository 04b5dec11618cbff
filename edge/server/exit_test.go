package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/functions/call"
)

// runAnswer is the function's side of docker run for a container that
// has not started yet (start 1 is the next): attach and wait hand the
// edge their streams, and --rm removal reports the recorded code. A
// follow-up wait (the safety poll) still finds the container waiting, so
// only the exit the edge hears can end a wait before the poll.
func runAnswer(r *rig, c call.Call) call.Reply {
	id := c.Var("name")
	switch c.Op {
	case call.OpContainerAttach:
		return call.Reply{Status: 200, Stream: &call.Stream{
			Kind: call.StreamAttach, Container: id, Stdout: true, Stderr: true, ExitOf: 1, Cursor: "0:false:" + id}}
	case call.OpContainerWait:
		exit := 1
		if c.Query.Get("condition") == string(container.WaitConditionRemoved) {
			exit = 0
		}
		return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamWait, Container: id, Cursor: "0:false:" + id, ExitOf: exit}}
	case call.OpContainerAutoRemove:
		code, _ := r.recorded(c.Var("id"), false)
		body, _ := json.Marshal(call.AutoRemoved{Removed: true, ExitCode: code})
		return call.Reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	}
	return call.Reply{Status: 500, Body: []byte(`{"message":"unexpected op ` + c.Op + `"}`)}
}

// TestExitReachesWaitsAndAttachOnce runs docker run's calls against a
// real agent: the agent's exit, reported to the function once, ends the
// attachment and both waits without another call to the function, and
// a --rm container is removed after that, once.
func TestExitReachesWaitsAndAttachOnce(t *testing.T) {
	tests := []struct {
		name       string
		id         string
		condition  container.WaitCondition
		wantRemove int
	}{
		{"--rm: the removal ends the wait for it", "rm-1", container.WaitConditionRemoved, 1},
		{"no --rm: the exit ends the wait for it", "c1", container.WaitConditionNextExit, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, runAnswer)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			att, err := r.cli.ContainerAttach(ctx, tt.id, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
			if err != nil {
				t.Fatal(err)
			}
			defer att.Close()
			wait := r.cli.ContainerWait(ctx, tt.id, client.ContainerWaitOptions{Condition: tt.condition})
			start := time.Now()
			r.runAgent(t, tt.id, sh(`echo out; echo err >&2; exit 3`))

			var stdout, stderr bytes.Buffer
			if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != "out\n" || stderr.String() != "err\n" {
				t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
			select {
			case res := <-wait.Result:
				if res.StatusCode != 3 || res.Error != nil {
					t.Fatalf("wait = %+v, want code 3", res)
				}
			case err := <-wait.Error:
				t.Fatal(err)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("the wait ended %v after the start: it polled instead of hearing the exit", took)
			}

			exits, removes, polls := 0, 0, 0
			for _, c := range r.f.Calls() {
				switch {
				case c.Op == call.OpContainerExited:
					exits++
				case c.Op == call.OpContainerAutoRemove:
					removes++
					if exits == 0 {
						t.Errorf("the removal came before the exit report")
					}
				case c.Op == call.OpContainerWait && c.Query.Get("cursor") != "":
					polls++
				}
			}
			if exits != 1 || removes != tt.wantRemove || polls != 0 {
				t.Errorf("exit reports %d, removals %d, wait polls %d; want 1, %d, 0", exits, removes, polls, tt.wantRemove)
			}
		})
	}
}

// TestFailedStartEndsWaitAtOnce: a start that fails ends the container
// without any agent (and --rm removes it at once), so the edge asks the
// function about its waits right after, not at the safety poll.
func TestFailedStartEndsWaitAtOnce(t *testing.T) {
	var startFailed atomic.Bool
	f := &fakeFunction{reply: func(c call.Call) call.Reply {
		switch c.Op {
		case call.OpContainerStart:
			startFailed.Store(true)
			return call.Reply{Status: 500, Body: []byte(`{"message":"failed to start container"}`)}
		case call.OpContainerWait:
			if startFailed.Load() && c.Query.Get("cursor") != "" {
				return call.Reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"StatusCode":127}`)}
			}
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamWait, Container: "c1", Cursor: "k", ExitOf: 1}}
		}
		return call.Reply{Status: 500, Body: []byte(`{"message":"unexpected op ` + c.Op + `"}`)}
	}}
	srv := newEdge(t, f, Config{})
	resp, err := srv.Client().Post(srv.URL+"/containers/c1/wait?condition=next-exit", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	if resp, _ := do(t, srv, "POST", "/containers/c1/start", nil); resp.StatusCode != 500 {
		t.Fatalf("start answered %d, want the function's 500", resp.StatusCode)
	}
	var wr container.WaitResponse
	if err := json.NewDecoder(resp.Body).Decode(&wr); err != nil {
		t.Fatal(err)
	}
	if wr.StatusCode != 127 {
		t.Fatalf("wait = %+v, want 127", wr)
	}
	if took := time.Since(start); took >= time.Second {
		t.Errorf("the wait ended %v after the failed start: it waited for the safety poll", took)
	}
}
