package server

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/api/googleapi"
	loggingrest "google.golang.org/api/logging/v2"
	"google.golang.org/api/option"
)

// TestLoggingREST writes, lists, reads back and deletes a log through
// the REST client (logging.googleapis.com/v2, as gcloud calls it).
func TestLoggingREST(t *testing.T) {
	srv := startServer(t, Config{})
	svc, err := loggingrest.NewService(context.Background(), option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	project := "projects/" + newProject(t)
	logName := project + "/logs/run.googleapis.com%2Fstdout"
	_, err = svc.Entries.Write(&loggingrest.WriteLogEntriesRequest{
		LogName: logName, Resource: &loggingrest.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{"job_name": "j"}},
		Entries: []*loggingrest.LogEntry{{TextPayload: "first"}, {TextPayload: "second", Labels: map[string]string{"run.googleapis.com/task_index": "1"}}},
	}).Do()
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.Entries.List(&loggingrest.ListLogEntriesRequest{ResourceNames: []string{project},
		Filter: `resource.labels.job_name="j" AND labels."run.googleapis.com/task_index"="1"`}).Do()
	if err != nil || len(list.Entries) != 1 || list.Entries[0].TextPayload != "second" || list.Entries[0].LogName != logName {
		t.Fatalf("entries:list: %+v %v", list, err)
	}
	logs, err := svc.Projects.Logs.List(project).Do()
	if err != nil || len(logs.LogNames) != 1 || logs.LogNames[0] != logName {
		t.Fatalf("logs.list: %+v %v", logs, err)
	}
	if _, err := svc.Projects.Logs.Delete(logName).Do(); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Projects.Logs.Delete(logName).Do()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != 404 {
		t.Fatalf("deleting the deleted log: %v", err)
	}
	_, err = svc.Entries.Write(&loggingrest.WriteLogEntriesRequest{Entries: []*loggingrest.LogEntry{{TextPayload: "no log name"}}}).Do()
	if !errors.As(err, &gerr) || gerr.Code != 400 {
		t.Fatalf("an entry without a log name: %v", err)
	}
}
