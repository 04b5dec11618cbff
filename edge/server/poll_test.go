package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/functions/call"
)

// TestWaitSendsHeaderFirstThenResult also shows the safety poll: an exit
// no agent of this edge reports is found by asking the function again
// with the cursor.
func TestWaitSendsHeaderFirstThenResult(t *testing.T) {
	release := make(chan struct{})
	f := &fakeFunction{reply: func(c call.Call) call.Reply {
		cursor := c.Query.Get("cursor")
		if cursor == "" {
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamWait, Container: "c1", Cursor: "k1"}}
		}
		select {
		case <-release:
			body, _ := json.Marshal(container.WaitResponse{StatusCode: 3})
			return call.Reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
		default:
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamWait, Container: "c1", Cursor: "k1"}}
		}
	}}
	srv := newEdge(t, f, Config{})
	resp, err := srv.Client().Post(srv.URL+"/v1.44/containers/c1/wait?condition=next-exit", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The header came while the container is still running.
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	close(release)
	var wr container.WaitResponse
	if err := json.NewDecoder(resp.Body).Decode(&wr); err != nil {
		t.Fatal(err)
	}
	if wr.StatusCode != 3 {
		t.Fatalf("status code = %d", wr.StatusCode)
	}
	calls := f.Calls()
	if len(calls) < 2 {
		t.Fatalf("expected a safety poll, got %d calls", len(calls))
	}
	for _, c := range calls[1:] {
		if c.Op != call.OpContainerWait || c.Query.Get("cursor") != "k1" || c.Query.Get("condition") != "next-exit" {
			t.Fatalf("poll call = %+v", c)
		}
	}
}

func TestWaitLateErrorTravelsInBody(t *testing.T) {
	f := &fakeFunction{reply: func(c call.Call) call.Reply {
		if c.Query.Get("cursor") == "" {
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamWait, Container: "c1", Cursor: "k"}}
		}
		return call.Reply{Status: 404, Body: []byte(`{"message":"No such container: c1"}`)}
	}}
	srv := newEdge(t, f, Config{})
	resp, body := do(t, srv, "POST", "/containers/c1/wait", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var wr container.WaitResponse
	if err := json.Unmarshal(body, &wr); err != nil {
		t.Fatal(err)
	}
	if wr.Error == nil || wr.Error.Message != "No such container: c1" {
		t.Fatalf("wait response = %s", body)
	}
}

// followFunction answers a follow stream (logs or events) with one body
// per cursor step, marking the last Done.
func followFunction(kind call.StreamKind, bodies []string, doneAtEnd bool) *fakeFunction {
	return &fakeFunction{reply: func(c call.Call) call.Reply {
		i := 0
		if cur := c.Query.Get("cursor"); cur != "" {
			i, _ = strconv.Atoi(cur)
		}
		if i >= len(bodies) {
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: kind, Cursor: strconv.Itoa(i)}}
		}
		done := doneAtEnd && i == len(bodies)-1
		return call.Reply{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(bodies[i]),
			Stream: &call.Stream{Kind: kind, Container: "c1", Cursor: strconv.Itoa(i + 1), Done: done}}
	}}
}

func TestLogsFollowUntilDone(t *testing.T) {
	f := followFunction(call.StreamLogs, []string{"one\n", "two\n", "three\n"}, true)
	srv := newEdge(t, f, Config{})
	resp, body := do(t, srv, "GET", "/containers/c1/logs?follow=1&stdout=1", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if string(body) != "one\ntwo\nthree\n" {
		t.Fatalf("body = %q", body)
	}
	calls := f.Calls()
	if len(calls) != 3 || calls[2].Query.Get("cursor") != "2" || calls[2].Query.Get("follow") != "1" {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestEventsStopWhenClientLeaves(t *testing.T) {
	f := followFunction(call.StreamEvents, []string{"{\"a\":1}\n", "{\"a\":2}\n"}, false)
	srv := newEdge(t, f, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// Both events arrive while the stream stays open: flushed per write.
	buf := make([]byte, 16)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	if string(buf) != "{\"a\":1}\n{\"a\":2}\n" {
		t.Fatalf("events = %q", buf)
	}
	cancel()
	resp.Body.Close()
	time.Sleep(300 * time.Millisecond)
	n := len(f.Calls())
	time.Sleep(300 * time.Millisecond)
	if m := len(f.Calls()); m != n {
		t.Fatalf("edge kept polling after the client left: %d → %d calls", n, m)
	}
}
