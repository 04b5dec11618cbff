package logging

import (
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	mrpb "google.golang.org/genproto/googleapis/api/monitoredres"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestFilter(t *testing.T) {
	payload, _ := structpb.NewStruct(map[string]any{"msg": "hi", "req": map[string]any{"status": 503}})
	e := &loggingpb.LogEntry{
		LogName:   "projects/p/logs/run.googleapis.com%2Fstdout",
		Resource:  &mrpb.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{"job_name": "j"}},
		Labels:    map[string]string{"run.googleapis.com/task_index": "2"},
		Timestamp: timestamppb.New(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)),
		Severity:  ltype.LogSeverity_WARNING,
		Payload:   &loggingpb.LogEntry_TextPayload{TextPayload: "Hello World"},
	}
	j := &loggingpb.LogEntry{LogName: "projects/p/logs/app", Payload: &loggingpb.LogEntry_JsonPayload{JsonPayload: payload}}
	cases := []struct {
		name, filter string
		entry        *loggingpb.LogEntry
		want         bool
	}{
		{"an empty filter matches", "", e, true},
		{"an unquoted value runs to the next space", "logName=projects/p/logs/run.googleapis.com%2Fstdout", e, true},
		{"a quoted label key", `labels."run.googleapis.com/task_index"="2"`, e, true},
		{"juxtaposition is AND", `resource.type="cloud_run_job" resource.labels.job_name="k"`, e, false},
		{"OR binds tighter than AND", `severity=ERROR OR severity=WARNING AND textPayload:world`, e, true},
		{"parentheses group", `(severity=ERROR AND textPayload:world) OR logName:stdout`, e, true},
		{"NOT negates", `NOT textPayload:hello`, e, false},
		{"a minus negates", `-resource.labels.job_name=x`, e, true},
		{"has is case-insensitive substring", `textPayload:"WORLD"`, e, true},
		{"a regular expression", `textPayload=~"^Hel+o"`, e, true},
		{"a timestamp orders as time", `timestamp>="2026-12-07T09:59:59Z" timestamp<"2026-12-07T10:00:00.5Z"`, e, true},
		{"severity orders by level", `severity>=ERROR`, e, false},
		{"a missing field is unequal", `labels.nothing!=x`, e, true},
		{"a missing field matches nothing else", `labels.nothing=x`, e, false},
		{"nested jsonPayload fields", `jsonPayload.req.status=503 jsonPayload.msg="hi"`, j, true},
		{"textPayload is missing on a JSON entry", `textPayload:hi`, j, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := parseFilter(c.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := f(c.entry); got != c.want {
				t.Fatalf("%s: got %v, want %v", c.filter, got, c.want)
			}
		})
	}
	for _, bad := range []string{`logName="x" AND (`, `timestamp>"yesterday"`, `severity>=LOUD`, `textPayload=~"("`, `"just text"`, `logName`} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
}
