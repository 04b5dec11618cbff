package host_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/call/calltrace"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/testing/otlptest"
)

// TestTracedJoinsTheEdgesTrace serves calls that carry only the edge's
// traceparent header, as a remote function gets them, through a real
// function exporting to a real OTLP receiver: each call's span is the
// child of the span the header names, and its log line names the trace.
func TestTracedJoinsTheEdgesTrace(t *testing.T) {
	recv := otlptest.Start(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	tracer, stop, err := calltrace.Start(t.Context(), "sockerless-test", true)
	if err != nil || tracer == nil {
		t.Fatalf("tracer %v, err %v: want one with the endpoint set", tracer, err)
	}
	good := map[string]string{host.EnvSecret: secret, host.EnvAgentURL: "ws://127.0.0.1:1/agent/v1/connect"}
	fn, err := host.Start(t.Context(), env(good), realParts(t, "testcloud"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := host.Traced(host.Logged(fn, slog.New(slog.NewJSONHandler(&logs, nil)), slog.LevelInfo), tracer)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	cases := []struct {
		name, parent string
		c            call.Call
		status       int
		errorSpan    bool
	}{
		{name: "a call is the child of the edge's invocation span", parent: "00f067aa0ba902b7",
			c: call.Call{Op: call.OpVolumeCreate, Version: "1.56", Body: []byte(`{"Name":"data"}`)}, status: http.StatusCreated},
		{name: "a 500 marks the span an error with its cause", parent: "00f067aa0ba902b8",
			c:      call.Call{Op: call.OpImagePull, Version: "1.56", Query: map[string][]string{"fromImage": {"127.0.0.1:1/refused/image:1"}}},
			status: http.StatusInternalServerError, errorSpan: true},
	}
	for _, tc := range cases {
		tc.c.Header = http.Header{
			call.TraceParentHeader: {"00-" + traceID + "-" + tc.parent + "-01"},
			call.RequestIDHeader:   {"req-" + tc.parent},
		}
		if rep := h.Handle(context.Background(), tc.c); rep.Status != tc.status {
			t.Fatalf("%s: status %d %s, want %d", tc.name, rep.Status, rep.Body, tc.status)
		}
	}
	if err := stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	spans := map[string]otlptest.Span{}
	for _, s := range recv.Spans() {
		spans[s.Parent] = s
	}
	lines := bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n"))
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := spans[tc.parent]
			if !ok {
				t.Fatalf("no span with parent %s among %+v", tc.parent, recv.Spans())
			}
			if s.TraceID != traceID || s.Name != "function "+tc.c.Op || s.Service != "sockerless-test" ||
				s.Attributes["sockerless.request_id"] != "req-"+tc.parent {
				t.Errorf("span %+v: want %q in trace %s from sockerless-test for request req-%s", s, "function "+tc.c.Op, traceID, tc.parent)
			}
			if tc.errorSpan != (s.StatusCode == 2 && s.StatusMessage != "") {
				t.Errorf("span status %d %q, want an error with its cause: %v", s.StatusCode, s.StatusMessage, tc.errorSpan)
			}
			var line map[string]any
			if i >= len(lines) || json.Unmarshal(lines[i], &line) != nil || line["trace"] != traceID || line["req"] != "req-"+tc.parent {
				t.Errorf("log line %q: want the trace %s and request req-%s", lines[min(i, len(lines)-1)], traceID, tc.parent)
			}
		})
	}
}
