package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging"
	"cloud.google.com/go/logging/logadmin"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	mrpb "google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// emulatorOptions point a Google SDK client at the simulator as at an
// emulator: its address as endpoint, no credentials, no TLS.
func emulatorOptions(s *Server) []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
}

func logClients(t testing.TB, s *Server, project string) (*logging.Client, *logadmin.Client) {
	t.Helper()
	ctx := context.Background()
	w, err := logging.NewClient(ctx, "projects/"+project, emulatorOptions(s)...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := logadmin.NewClient(ctx, "projects/"+project, emulatorOptions(s)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); r.Close() })
	return w, r
}

// readLog is the payloads of the entries filter selects, in order.
func readLog(t testing.TB, r *logadmin.Client, opts ...logadmin.EntriesOption) ([]string, error) {
	t.Helper()
	var out []string
	it := r.Entries(context.Background(), opts...)
	for {
		e, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if j, ok := e.Payload.(*structpb.Struct); ok {
			out = append(out, "json "+j.Fields["msg"].GetStringValue())
			continue
		}
		out = append(out, fmt.Sprint(e.Payload))
	}
}

// TestLoggingSDK writes entries with the logging SDK and reads them back
// with logadmin through the filters readers use.
func TestLoggingSDK(t *testing.T) {
	srv := startServer(t, Config{})
	project := newProject(t)
	w, r := logClients(t, srv, project)
	job := &mrpb.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{"job_name": "a", "location": "us-central1"}}
	other := &mrpb.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{"job_name": "b", "location": "us-central1"}}
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	stdout, stderr := w.Logger("run.googleapis.com/stdout"), w.Logger("run.googleapis.com/stderr")
	entries := []struct {
		l *logging.Logger
		e logging.Entry
	}{
		{stdout, logging.Entry{Payload: "one", Resource: job, Timestamp: base, Labels: map[string]string{"run.googleapis.com/task_index": "0"}}},
		{stderr, logging.Entry{Payload: "two", Resource: job, Timestamp: base.Add(time.Second), Severity: logging.Error, Labels: map[string]string{"run.googleapis.com/task_index": "1"}}},
		{stdout, logging.Entry{Payload: "three", Resource: other, Timestamp: base.Add(2 * time.Second)}},
		{stdout, logging.Entry{Payload: map[string]any{"msg": "four", "n": 4}, Resource: job, Timestamp: base.Add(3 * time.Second)}},
	}
	for _, x := range entries {
		if err := x.l.LogSync(context.Background(), x.e); err != nil {
			t.Fatal(err)
		}
	}
	logName := fmt.Sprintf(`logName="projects/%s/logs/run.googleapis.com%%2Fstdout"`, project)
	cases := []struct {
		name, filter string
		newest       bool
		want         []string
	}{
		{"logName selects one log, oldest first", logName, false, []string{"one", "three", "json four"}},
		{"resource labels select a job", `resource.type="cloud_run_job" AND resource.labels.job_name="a"`, false, []string{"one", "two", "json four"}},
		{"quoted label keys with dots and slashes", `labels."run.googleapis.com/task_index"="1"`, false, []string{"two"}},
		{"timestamps bound a range", fmt.Sprintf(`timestamp>="%s" timestamp<"%s"`, base.Add(time.Second).Format(time.RFC3339), base.Add(3*time.Second).Format(time.RFC3339)), false, []string{"two", "three"}},
		{"severity compares by level", "severity>=WARNING", false, []string{"two"}},
		{"OR and NOT combine", `textPayload="one" OR textPayload="three" AND NOT resource.labels.job_name=b`, false, []string{"one"}},
		{"jsonPayload fields", `jsonPayload.msg="four"`, false, []string{"json four"}},
		{"newest first", logName, true, []string{"json four", "three", "one"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []logadmin.EntriesOption{logadmin.Filter(c.filter)}
			if c.newest {
				opts = append(opts, logadmin.NewestFirst())
			}
			got, err := readLog(t, r, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	t.Run("an unparseable filter is INVALID_ARGUMENT", func(t *testing.T) {
		if _, err := readLog(t, r, logadmin.Filter(`logName="x" AND (`)); status.Code(err) != codes.InvalidArgument {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("DeleteLog removes one log's entries", func(t *testing.T) {
		if err := r.DeleteLog(context.Background(), "run.googleapis.com/stderr"); err != nil {
			t.Fatal(err)
		}
		if got, _ := readLog(t, r, logadmin.Filter("severity>=WARNING")); len(got) != 0 {
			t.Fatalf("deleted entries still read: %q", got)
		}
		if err := r.DeleteLog(context.Background(), "run.googleapis.com/stderr"); status.Code(err) != codes.NotFound {
			t.Fatalf("deleting it again: %v", err)
		}
	})
}

// TestRunOutputInLogging proves a job's container output reaches Cloud
// Logging as Cloud Run writes it: one entry a line, stdout and stderr in
// their logs, on the cloud_run_job resource, labelled with the
// execution and the task index.
func TestRunOutputInLogging(t *testing.T) {
	e := newRunEnv(t, Config{})
	project := strings.Split(e.parent, "/")[1]
	_, r := logClients(t, e.srv, project)
	job := e.create(t, "talker", e.jobOf(`echo "out $CLOUD_RUN_TASK_INDEX"; echo "err $CLOUD_RUN_TASK_INDEX" >&2`,
		func(m *runpb.ExecutionTemplate) { m.TaskCount = 2 }))
	x := e.waitExec(t, e.start(t, job.Name, nil), 20*time.Second, completed)
	exec := x.Name[strings.LastIndex(x.Name, "/")+1:]
	cases := []struct{ name, filter, want string }{
		{"stdout of task 1", fmt.Sprintf(`logName="projects/%s/logs/run.googleapis.com%%2Fstdout" AND labels."run.googleapis.com/task_index"="1"`, project), "out 1"},
		{"stderr of task 0", fmt.Sprintf(`logName="projects/%s/logs/run.googleapis.com%%2Fstderr" AND labels."run.googleapis.com/task_index"="0"`, project), "err 0"},
		{"the execution on the job's resource", fmt.Sprintf(`resource.type="cloud_run_job" resource.labels.job_name="talker" resource.labels.location="us-central1" labels."run.googleapis.com/execution_name"="%s" textPayload:"out"`, exec), "out 0,out 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readLog(t, r, logadmin.Filter(c.filter))
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if strings.Join(got, ",") != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}
