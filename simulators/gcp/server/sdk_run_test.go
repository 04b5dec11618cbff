package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestRunJobLifecycle drives a job through the SDK from create to
// delete: defaults filled in, get, list, update, a run whose operation
// completes with the execution, and delete taking the executions along.
func TestRunJobLifecycle(t *testing.T) {
	e := newRunEnv(t, Config{})
	ctx := context.Background()
	j := e.create(t, "hello", e.jobOf("echo hello", nil))
	tt := j.Template.Template
	if j.Name != e.parent+"/jobs/hello" || j.Generation != 1 || j.Uid == "" || j.Etag == "" ||
		j.Template.TaskCount != 1 || tt.GetMaxRetries() != 3 || tt.Timeout.AsDuration() != 600*time.Second ||
		j.TerminalCondition.GetState() != runpb.Condition_CONDITION_SUCCEEDED {
		t.Fatalf("created job lacks Cloud Run's defaults: %v", j)
	}
	got, err := e.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: j.Name})
	if err != nil || got.Uid != j.Uid {
		t.Fatalf("GetJob: %v %v", got, err)
	}
	e.create(t, "other", e.jobOf("true", nil))
	var names []string
	it := e.jobs.ListJobs(ctx, &runpb.ListJobsRequest{Parent: e.parent, PageSize: 1})
	for {
		x, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, x.Name)
	}
	if strings.Join(names, ",") != e.parent+"/jobs/hello,"+e.parent+"/jobs/other" {
		t.Fatalf("ListJobs, one a page: %v", names)
	}

	got.Template.Template.Containers[0].Args = []string{"echo updated"}
	uop, err := e.jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: got})
	if err != nil {
		t.Fatal(err)
	}
	updated, err := uop.Wait(ctx)
	if err != nil || updated.Generation != 2 || updated.Uid != j.Uid || updated.Etag == j.Etag {
		t.Fatalf("UpdateJob: %v %v", updated, err)
	}

	op, err := e.jobs.RunJob(ctx, &runpb.RunJobRequest{Name: j.Name})
	if err != nil {
		t.Fatal(err)
	}
	x, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if x.SucceededCount != 1 || x.TaskCount != 1 || x.CompletionTime == nil ||
		condition(x.Conditions, "Completed").State != runpb.Condition_CONDITION_SUCCEEDED ||
		!strings.HasPrefix(x.Name, j.Name+"/executions/hello-") || x.Job != "hello" {
		t.Fatalf("the run's operation completed with %v", x)
	}
	tasks := e.listTasks(t, x.Name)
	if len(tasks) != 1 || tasks[0].Index != 0 || tasks[0].LastAttemptResult.GetExitCode() != 0 ||
		tasks[0].LastAttemptResult.GetStatus().GetCode() != 0 || tasks[0].CompletionTime == nil {
		t.Fatalf("tasks: %v", tasks)
	}
	if got, _ := e.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: j.Name}); got.ExecutionCount != 1 ||
		got.LatestCreatedExecution.GetName() != x.Name ||
		got.LatestCreatedExecution.GetCompletionStatus() != runpb.ExecutionReference_EXECUTION_SUCCEEDED {
		t.Fatalf("the job does not refer to its execution: %v", got)
	}

	dop, err := e.jobs.DeleteJob(ctx, &runpb.DeleteJobRequest{Name: j.Name})
	if err != nil {
		t.Fatal(err)
	}
	if gone, err := dop.Wait(ctx); err != nil || gone.Name != j.Name {
		t.Fatalf("DeleteJob: %v %v", gone, err)
	}
	if _, err := e.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: j.Name}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetJob after delete: %v", err)
	}
	if _, err := e.execs.GetExecution(ctx, &runpb.GetExecutionRequest{Name: x.Name}); status.Code(err) != codes.NotFound {
		t.Fatalf("the execution outlived its job: %v", err)
	}
}

// TestRunExecutionOutcomes proves how executions end: exit codes, task
// count and parallelism, retries, timeouts, overrides and images that
// cannot be pulled, each as Cloud Run reports it.
func TestRunExecutionOutcomes(t *testing.T) {
	e := newRunEnv(t, Config{})
	cases := []struct {
		name      string
		script    string
		tune      func(*runpb.ExecutionTemplate)
		overrides *runpb.RunJobRequest_Overrides
		image     string
		check     func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task)
	}{
		{name: "a non-zero exit fails the task once its retries are used", script: "exit 3",
			tune: func(m *runpb.ExecutionTemplate) { m.Template.Retries = retries(1) },
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				c := condition(x.Conditions, "Completed")
				if x.FailedCount != 1 || x.SucceededCount != 0 || x.RetriedCount != 1 || c.State != runpb.Condition_CONDITION_FAILED ||
					c.GetExecutionReason() != runpb.Condition_NON_ZERO_EXIT_CODE || !strings.Contains(c.Message, "-task0 failed") {
					t.Fatalf("execution: %v", x)
				}
				r := tasks[0].LastAttemptResult
				if tasks[0].Retried != 1 || r.ExitCode != 3 || r.Status.Code != int32(codes.Unknown) {
					t.Fatalf("task: %v", tasks[0])
				}
			}},
		{name: "a retry that succeeds completes the task", script: `test "$CLOUD_RUN_TASK_ATTEMPT" = 1`,
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				if x.SucceededCount != 1 || tasks[0].Retried != 1 || tasks[0].LastAttemptResult.ExitCode != 0 {
					t.Fatalf("execution %v, task %v", x, tasks[0])
				}
			}},
		{name: "every task of the count runs, at most parallelism at once",
			script: `test "$CLOUD_RUN_TASK_COUNT" = 3 && test "$CLOUD_RUN_JOB" = j2 && exit "$CLOUD_RUN_TASK_INDEX"`,
			tune:   func(m *runpb.ExecutionTemplate) { m.TaskCount, m.Parallelism, m.Template.Retries = 3, 2, retries(0) },
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				if x.TaskCount != 3 || x.Parallelism != 2 || x.SucceededCount != 1 || x.FailedCount != 2 || len(tasks) != 3 {
					t.Fatalf("execution: %v", x)
				}
				for _, task := range tasks {
					if task.LastAttemptResult.ExitCode != task.Index {
						t.Fatalf("task %d exited %d", task.Index, task.LastAttemptResult.ExitCode)
					}
				}
			}},
		{name: "tasks list in index order", script: "true",
			tune: func(m *runpb.ExecutionTemplate) { m.TaskCount, m.Parallelism = 12, 4 },
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				if x.SucceededCount != 12 || len(tasks) != 12 {
					t.Fatalf("execution: %v", x)
				}
				for i, task := range tasks {
					if task.Index != int32(i) {
						t.Fatalf("task %d of the list has index %d", i, task.Index)
					}
				}
			}},
		{name: "an attempt past its timeout is stopped and fails", script: "sleep 30",
			tune: func(m *runpb.ExecutionTemplate) { m.Template.Timeout, m.Template.Retries = seconds(0.3), retries(0) },
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				if x.FailedCount != 1 || tasks[0].LastAttemptResult.Status.Message != "The configured timeout was reached." {
					t.Fatalf("execution %v, task %v", x, tasks[0])
				}
			}},
		{name: "overrides replace the args, add env and change the task count", script: "exit 9",
			overrides: &runpb.RunJobRequest_Overrides{TaskCount: 2, ContainerOverrides: []*runpb.RunJobRequest_Overrides_ContainerOverride{{
				Args: []string{`test "$EXTRA" = yes && test "$FROM_IMAGE" = yes`}, Env: []*runpb.EnvVar{{Name: "EXTRA", Values: &runpb.EnvVar_Value{Value: "yes"}}},
			}}},
			check: func(t *testing.T, x *runpb.Execution, _ []*runpb.Task) {
				if x.TaskCount != 2 || x.SucceededCount != 2 {
					t.Fatalf("execution: %v", x)
				}
			}},
		{name: "an image the registry lacks fails every task", image: "/tools:missing",
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				if x.FailedCount != 1 || x.StartTime != nil || !strings.Contains(tasks[0].LastAttemptResult.Status.Message, "could not be pulled") {
					t.Fatalf("execution %v, task %v", x, tasks[0])
				}
			}},
		{name: "an image outside loopback is refused at pull", image: "example.com/tools:v1",
			check: func(t *testing.T, x *runpb.Execution, tasks []*runpb.Task) {
				if x.FailedCount != 1 || !strings.Contains(tasks[0].LastAttemptResult.Status.Message, "or a registry on loopback") {
					t.Fatalf("task %v", tasks[0])
				}
			}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := e.jobOf(c.script, c.tune)
			if c.image != "" {
				img := c.image
				if strings.HasPrefix(img, "/") {
					img = e.reg + img
				}
				j.Template.Template.Containers[0].Image = img
			}
			id := "j" + string(rune('0'+i))
			job := e.create(t, id, j)
			x := e.waitExec(t, e.start(t, job.Name, c.overrides), 20*time.Second, completed)
			c.check(t, x, e.listTasks(t, x.Name))
		})
	}
}

// TestRunCancelExecution proves a running execution cancelled through
// the SDK stops its task and completes as cancelled.
func TestRunCancelExecution(t *testing.T) {
	e := newRunEnv(t, Config{})
	ctx := context.Background()
	job := e.create(t, "sleeper", e.jobOf("sleep 30", nil))
	name := e.start(t, job.Name, nil)
	e.waitExec(t, name, 10*time.Second, func(x *runpb.Execution) bool { return x.RunningCount == 1 })
	op, err := e.execs.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	x := e.waitExec(t, name, 5*time.Second, completed)
	c := condition(x.Conditions, "Completed")
	if x.CancelledCount != 1 || c.State != runpb.Condition_CONDITION_FAILED || c.GetExecutionReason() != runpb.Condition_CANCELLED {
		t.Fatalf("cancelled execution: %v", x)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("cancelling took %v: SIGTERM did not end the task", time.Since(start))
	}
	if j, _ := e.jobs.GetJob(ctx, &runpb.GetJobRequest{Name: job.Name}); j.LatestCreatedExecution.GetCompletionStatus() != runpb.ExecutionReference_EXECUTION_CANCELLED {
		t.Fatalf("job: %v", j.LatestCreatedExecution)
	}
	if _, err := e.execs.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: name}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("cancelling a completed execution: %v", err)
	}
	dop, err := e.execs.DeleteExecution(ctx, &runpb.DeleteExecutionRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dop.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tasks.GetTask(ctx, &runpb.GetTaskRequest{Name: name + "/tasks/" + name[strings.LastIndex(name, "/")+1:] + "-task0"}); status.Code(err) != codes.NotFound {
		t.Fatalf("a deleted execution's task: %v", err)
	}
}
