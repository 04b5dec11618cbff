package logs

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		pattern, msg string
		want         bool
	}{
		{"", "anything", true},
		{"ERROR", "[ERROR] disk", true},
		{"ERROR", "error disk", false}, // case-sensitive
		{"ERROR disk", "disk ERROR", true},
		{"ERROR disk", "ERROR net", false},
		{`"disk full"`, "the disk full now", true},
		{`"disk full"`, "full disk", false},
		{`ERROR -retry`, "ERROR retry later", false},
		{`ERROR -"gave up"`, "ERROR gave up", false},
		{`ERROR -"gave up"`, "ERROR gave", true},
		{"?WARN ?ERROR", "WARN x", true},
		{"?WARN ?ERROR", "INFO x", false},
	}
	for _, c := range cases {
		p, err := parsePattern(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := p.match(c.msg); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
	for _, bad := range []string{`{ $.a = 1 }`, `[ip, user]`, `"unterminated`} {
		if _, err := parsePattern(bad); err == nil || err.Type != "InvalidParameterException" {
			t.Errorf("%q: want InvalidParameterException, got %v", bad, err)
		}
	}
}

func TestTokenRoundTrip(t *testing.T) {
	for _, e := range []event{headPos, tailPos, {Timestamp: 1795455434000, Seq: 7}} {
		for _, dir := range []byte{'f', 'b'} {
			d, got, ok := decodeToken(encodeToken(dir, e))
			if !ok || d != dir || got != e {
				t.Errorf("%c %+v: got %c %+v %v", dir, e, d, got, ok)
			}
		}
	}
	for _, bad := range []string{"", "f/", "x/" + strings.Repeat("0", 40), "f/" + strings.Repeat("a", 40)} {
		if _, _, ok := decodeToken(bad); ok {
			t.Errorf("%q decoded", bad)
		}
	}
}

// call runs one operation through Handle, as the server does.
func call(t *testing.T, s *Service, op string, in any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(in)
	status, body := s.Handle("eu-west-1", op, b)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s: %v: %s", op, err, body)
	}
	return status, out
}

// TestRetentionHidesOldEvents moves the clock past a group's retention
// and expects its events to disappear from reads.
func TestRetentionHidesOldEvents(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	s, err := New(service.Base{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append("eu-west-1", "g", "s", Event{Timestamp: now.Add(-2 * 24 * time.Hour), Message: "old"}, Event{Timestamp: now, Message: "new"}); err != nil {
		t.Fatal(err)
	}
	get := func() string {
		status, out := call(t, s, "GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
		if status != 200 {
			t.Fatalf("status %d: %v", status, out)
		}
		return fmt.Sprint(out["events"].([]any))
	}
	if got := get(); !strings.Contains(got, "old") || !strings.Contains(got, "new") {
		t.Fatalf("before retention: %s", got)
	}
	if status, out := call(t, s, "PutRetentionPolicy", map[string]any{"logGroupName": "g", "retentionInDays": 1}); status != 200 {
		t.Fatalf("retention: %d %v", status, out)
	}
	if got := get(); strings.Contains(got, "old") || !strings.Contains(got, "new") {
		t.Fatalf("after retention: %s", got)
	}
	status, out := call(t, s, "PutLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "s",
		"logEvents": []any{map[string]any{"timestamp": now.Add(-3 * 24 * time.Hour).UnixMilli(), "message": "expired"}}})
	if status != 200 || fmt.Sprint(out["rejectedLogEventsInfo"]) != "map[expiredLogEventEndIndex:1]" {
		t.Fatalf("put expired: %d %v", status, out)
	}
	// Groups are regional: the same name elsewhere is another group.
	if status, out := call(t, s, "CreateLogGroup", map[string]any{"logGroupName": "g"}); status != 400 || out["__type"] != "ResourceAlreadyExistsException" {
		t.Fatalf("same region: %d %v", status, out)
	}
	if status, _ := s.Handle("us-west-2", "CreateLogGroup", []byte(`{"logGroupName":"g"}`)); status != 200 {
		t.Fatalf("other region: %d", status)
	}
}
