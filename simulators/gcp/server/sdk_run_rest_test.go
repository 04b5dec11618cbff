package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	run "cloud.google.com/go/run/apiv2"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestRunREST drives jobs through the SDK's REST clients, which speak
// run.googleapis.com/v2 as gcloud and the Terraform provider do: create
// and wait on the operation, get, list, run and wait on the execution's
// operation, list its tasks, update, delete.
func TestRunREST(t *testing.T) {
	e := newRunEnv(t, Config{})
	ctx := context.Background()
	opts := []option.ClientOption{option.WithEndpoint(e.srv.URL()), option.WithoutAuthentication()}
	jobs, err := run.NewJobsRESTClient(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Close()
	tasks, err := run.NewTasksRESTClient(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer tasks.Close()

	cop, err := jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: "rest", Job: e.jobOf("echo over rest; exit 4", func(m *runpb.ExecutionTemplate) {
		m.Template.Retries = retries(0)
	})})
	if err != nil {
		t.Fatal(err)
	}
	j, err := cop.Wait(ctx)
	if err != nil || j.Name != e.parent+"/jobs/rest" || j.TerminalCondition.GetState() != runpb.Condition_CONDITION_SUCCEEDED {
		t.Fatalf("CreateJob over REST: %v %v", j, err)
	}
	if got, err := jobs.GetJob(ctx, &runpb.GetJobRequest{Name: j.Name}); err != nil || got.Uid != j.Uid {
		t.Fatalf("GetJob over REST: %v %v", got, err)
	}
	if x, err := jobs.ListJobs(ctx, &runpb.ListJobsRequest{Parent: e.parent}).Next(); err != nil || x.Name != j.Name {
		t.Fatalf("ListJobs over REST: %v %v", x, err)
	}
	rop, err := jobs.RunJob(ctx, &runpb.RunJobRequest{Name: j.Name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rop.Wait(ctx); err == nil || !strings.Contains(err.Error(), "exit code 4") {
		t.Fatalf("a failed execution's operation ended with %v", err)
	}
	meta, err := rop.Metadata()
	if err != nil || meta.FailedCount != 1 {
		t.Fatalf("the operation's execution: %v %v", meta, err)
	}
	task, err := tasks.ListTasks(ctx, &runpb.ListTasksRequest{Parent: meta.Name}).Next()
	if err != nil || task.LastAttemptResult.GetExitCode() != 4 {
		t.Fatalf("ListTasks over REST: %v %v", task, err)
	}
	j.Labels = map[string]string{"team": "sockerless"}
	uop, err := jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := uop.Wait(ctx); err != nil || u.Generation != 2 || u.Labels["team"] != "sockerless" {
		t.Fatalf("UpdateJob over REST: %v %v", u, err)
	}
	dop, err := jobs.DeleteJob(ctx, &runpb.DeleteJobRequest{Name: j.Name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dop.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.GetJob(ctx, &runpb.GetJobRequest{Name: j.Name}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetJob after delete over REST: %v", err)
	}
}

// TestRunRESTBadInput proves REST requests the API does not define are
// refused as Google refuses them, in Google's JSON error shape.
func TestRunRESTBadInput(t *testing.T) {
	e := newRunEnv(t, Config{})
	base := e.srv.URL() + "/v2/" + e.parent
	cases := []restCase{
		{"an unknown field in the body", "POST", base + "/jobs?jobId=x", `{"template":{"template":{"containers":[{"image":"i"}]}},"colour":"red"}`, 400, `"INVALID_ARGUMENT"`},
		{"malformed JSON", "POST", base + "/jobs?jobId=x", `{"template":`, 400, `"INVALID_ARGUMENT"`},
		{"an unknown query parameter", "GET", base + "/jobs?colour=red", "", 400, "Cannot bind query parameter"},
		{"a missing job", "GET", base + "/jobs/missing", "", 404, `"NOT_FOUND"`},
		{"a method the resource lacks", "PUT", base + "/jobs/missing", "", 501, `"UNIMPLEMENTED"`},
		{"a duplicate job", "POST", base + "/jobs?jobId=dup", `{"template":{"template":{"containers":[{"image":"i"}]}}}`, 409, `"ALREADY_EXISTS"`},
	}
	create, _ := http.NewRequest("POST", base+"/jobs?jobId=dup", strings.NewReader(`{"template":{"template":{"containers":[{"image":"i"}]}}}`))
	if code, body := do(t, create); code != 200 {
		t.Fatalf("creating the job over plain REST: %d %s", code, body)
	}
	runRESTCases(t, cases)
}
