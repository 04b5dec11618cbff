package server

import (
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/logging/logadmin"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestRunBadInput proves each refusal carries Cloud Run's status code.
func TestRunBadInput(t *testing.T) {
	e := newRunEnv(t, Config{})
	ctx := context.Background()
	job := e.create(t, "exists", e.jobOf("true", nil))
	missing := e.parent + "/jobs/missing"
	cases := []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"a job id that is not a DNS label", func() error {
			_, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: "Bad_Name", Job: e.jobOf("true", nil)})
			return err
		}, codes.InvalidArgument},
		{"a parent that is not a location", func() error {
			_, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: "projects/p", JobId: "x", Job: e.jobOf("true", nil)})
			return err
		}, codes.InvalidArgument},
		{"a job without a container", func() error {
			_, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: "x", Job: &runpb.Job{Template: &runpb.ExecutionTemplate{Template: &runpb.TaskTemplate{}}}})
			return err
		}, codes.InvalidArgument},
		{"a container without an image", func() error {
			j := e.jobOf("true", nil)
			j.Template.Template.Containers[0].Image = ""
			_, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: "x", Job: j})
			return err
		}, codes.InvalidArgument},
		{"a negative task count", func() error {
			_, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: "x", Job: e.jobOf("true", func(m *runpb.ExecutionTemplate) { m.TaskCount = -1 })})
			return err
		}, codes.InvalidArgument},
		{"a job that exists", func() error {
			_, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: "exists", Job: e.jobOf("true", nil)})
			return err
		}, codes.AlreadyExists},
		{"getting a missing job", func() error {
			_, err := e.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: missing})
			return err
		}, codes.NotFound},
		{"updating a missing job", func() error {
			j := e.jobOf("true", nil)
			j.Name = missing
			_, err := e.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: j})
			return err
		}, codes.NotFound},
		{"updating with a stale etag", func() error {
			j := e.jobOf("true", nil)
			j.Name, j.Etag = job.Name, `"stale"`
			_, err := e.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: j})
			return err
		}, codes.Aborted},
		{"running a missing job", func() error {
			_, err := e.jobs.RunJob(ctx, &runpb.RunJobRequest{Name: missing})
			return err
		}, codes.NotFound},
		{"a negative task count override", func() error {
			_, err := e.jobs.RunJob(ctx, &runpb.RunJobRequest{Name: job.Name, Overrides: &runpb.RunJobRequest_Overrides{TaskCount: -2}})
			return err
		}, codes.InvalidArgument},
		{"deleting a missing job", func() error {
			_, err := e.jobs.DeleteJob(ctx, &runpb.DeleteJobRequest{Name: missing})
			return err
		}, codes.NotFound},
		{"getting a missing execution", func() error {
			_, err := e.execs.GetExecution(ctx, &runpb.GetExecutionRequest{Name: job.Name + "/executions/exists-aaaaa"})
			return err
		}, codes.NotFound},
		{"cancelling a missing execution", func() error {
			_, err := e.execs.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: job.Name + "/executions/exists-aaaaa"})
			return err
		}, codes.NotFound},
		{"listing the tasks of a missing execution", func() error {
			_, err := e.tasks.ListTasks(ctx, &runpb.ListTasksRequest{Parent: job.Name + "/executions/exists-aaaaa"}).Next()
			return err
		}, codes.NotFound},
		{"an execution name that is not one", func() error {
			_, err := e.execs.GetExecution(ctx, &runpb.GetExecutionRequest{Name: "executions/x"})
			return err
		}, codes.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); status.Code(err) != c.want {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestRunPersist proves jobs, finished executions and their log entries
// survive a restart, and an execution running when the simulator
// stopped comes back failed.
func TestRunPersist(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{DataDir: dir}
	e := newRunEnv(t, cfg)
	ctx := context.Background()
	job := e.create(t, "kept", e.jobOf("echo kept output", nil))
	done := e.waitExec(t, e.start(t, job.Name, nil), 20e9, completed)
	sleeper := e.create(t, "sleeper", e.jobOf("sleep 30", nil))
	running := e.start(t, sleeper.Name, nil)
	e.waitExec(t, running, 10e9, func(x *runpb.Execution) bool { return x.RunningCount == 1 })
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}

	cfg.Addr = e.srv.Addr() // the clients dial the same address
	e.srv = startServer(t, cfg)
	got, err := e.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: job.Name})
	if err != nil || got.Uid != job.Uid || got.ExecutionCount != 1 {
		t.Fatalf("job after restart: %v %v", got, err)
	}
	x, err := e.execs.GetExecution(ctx, &runpb.GetExecutionRequest{Name: done.Name})
	if err != nil || x.SucceededCount != 1 || len(e.listTasks(t, x.Name)) != 1 {
		t.Fatalf("finished execution after restart: %v %v", x, err)
	}
	_, r := logClients(t, e.srv, strings.Split(e.parent, "/")[1])
	if got, err := readLog(t, r, logadmin.Filter(`textPayload="kept output"`)); err != nil || len(got) != 1 {
		t.Fatalf("log entries after restart: %q %v", got, err)
	}
	x, err = e.execs.GetExecution(ctx, &runpb.GetExecutionRequest{Name: running})
	if err != nil || x.CompletionTime == nil || x.FailedCount != 1 ||
		condition(x.Conditions, "Completed").State != runpb.Condition_CONDITION_FAILED {
		t.Fatalf("interrupted execution after restart: %v %v", x, err)
	}
}
