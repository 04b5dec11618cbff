package cloudrun

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/core"
)

// Driver is core.Compute on Cloud Run jobs. The job is defined when the
// container starts, with that start's command line, so there is nothing
// to prepare; a task's filesystem exists only while it runs, and then
// the agent serves docker cp.
type Driver struct {
	remotecompute.Base
	cfg Config
}

// New checks cfg and returns its driver.
func New(_ context.Context, cfg Config) (*Driver, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.JobPrefix = cmp.Or(cfg.JobPrefix, "sockerless-")
	if cfg.Timeout <= 0 || cfg.Timeout > maxTimeout {
		cfg.Timeout = maxTimeout
	}
	// Cloud Run jobs mount Cloud Storage buckets and NFS shares; named
	// volumes kept there are not wired yet.
	return &Driver{Base: remotecompute.NewBase(Backend, cfg.AgentURL, ""), cfg: cfg}, nil
}

// Start defines the container's job for this start (creating it on the
// first) and runs one execution of it. A retried start whose execution
// exists already runs nothing more.
func (d *Driver) Start(ctx context.Context, w core.Workload) error {
	agentURL, err := d.Launchable(w)
	if err != nil {
		return err
	}
	if ran, err := d.started(ctx, w); err != nil || ran {
		return err
	}
	image, err := d.jobImage(ctx, w.ImageRef)
	if err != nil {
		return err
	}
	tmpl, err := d.template(w, image, agentURL)
	if err != nil {
		return err
	}
	if err := d.defineJob(ctx, w.ID, tmpl); err != nil {
		return err
	}
	if _, err := d.cfg.Jobs.RunJob(ctx, &runpb.RunJobRequest{Name: d.jobName(w.ID)}); err != nil {
		return fmt.Errorf("Cloud Run RunJob %s: %w", d.jobID(w.ID), err)
	}
	return nil
}

// defineJob creates the container's job with tmpl, or updates it to tmpl
// when it exists (a restart).
func (d *Driver) defineJob(ctx context.Context, id string, tmpl *runpb.ExecutionTemplate) error {
	job := &runpb.Job{Template: tmpl, Labels: map[string]string{"managed-by": "sockerless"}}
	op, err := d.cfg.Jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: d.parent(), JobId: d.jobID(id), Job: job})
	if status.Code(err) == codes.AlreadyExists {
		job.Name = d.jobName(id)
		upd, err := d.cfg.Jobs.UpdateJob(ctx, &runpb.UpdateJobRequest{Job: job})
		if err != nil {
			return fmt.Errorf("Cloud Run UpdateJob %s: %w", d.jobID(id), err)
		}
		_, err = upd.Wait(ctx)
		return wrapErr("UpdateJob", d.jobID(id), err)
	}
	if err != nil {
		return fmt.Errorf("Cloud Run CreateJob %s: %w", d.jobID(id), err)
	}
	_, err = op.Wait(ctx)
	return wrapErr("CreateJob", d.jobID(id), err)
}

func wrapErr(op, job string, err error) error {
	if err != nil {
		return fmt.Errorf("Cloud Run %s %s: %w", op, job, err)
	}
	return nil
}

// started reports whether an execution of w's job carries w's token: this
// start ran already (the call is a retry).
func (d *Driver) started(ctx context.Context, w core.Workload) (bool, error) {
	execs, err := d.executions(ctx, w.ID)
	for _, e := range execs {
		for _, c := range e.GetTemplate().GetContainers() {
			for _, v := range c.Env {
				if v.Name == "SOCKERLESS_TOKEN" && v.GetValue() == w.Token {
					return true, nil
				}
			}
		}
	}
	return false, err
}

// executions lists the container's executions, newest first; none when
// it has no job.
func (d *Driver) executions(ctx context.Context, id string) ([]*runpb.Execution, error) {
	var out []*runpb.Execution
	it := d.cfg.Executions.ListExecutions(ctx, &runpb.ListExecutionsRequest{Parent: d.jobName(id)})
	for {
		e, err := it.Next()
		switch {
		case errors.Is(err, iterator.Done):
			// Newest first, whatever order the listing had.
			slices.SortStableFunc(out, func(a, b *runpb.Execution) int {
				return b.GetCreateTime().AsTime().Compare(a.GetCreateTime().AsTime())
			})
			return out, nil
		case status.Code(err) == codes.NotFound:
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("Cloud Run ListExecutions: %w", err)
		}
		out = append(out, e)
	}
}

// Status reports the container's latest execution: running until it
// completes, then its task's exit.
func (d *Driver) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	execs, err := d.executions(ctx, id)
	if err != nil || len(execs) == 0 {
		return core.WorkloadStatus{}, err
	}
	e := execs[0]
	if e.CompletionTime == nil {
		return core.WorkloadStatus{Running: true, Known: true}, nil
	}
	var task *runpb.Task
	it := d.cfg.Tasks.ListTasks(ctx, &runpb.ListTasksRequest{Parent: e.Name})
	for task == nil {
		t, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return core.WorkloadStatus{}, fmt.Errorf("Cloud Run ListTasks: %w", err)
		}
		task = t
	}
	return exitStatus(e, task), nil
}

// exitStatus is a completed execution as its one task's exit: the exit
// code of its last attempt; a task that was cancelled with no code of
// its own exits 137, as a killed container; one that failed without
// running its container (its image, its resources) exits 128 with Cloud
// Run's reason, as a failed start does in Docker.
func exitStatus(e *runpb.Execution, t *runpb.Task) core.WorkloadStatus {
	st := core.WorkloadStatus{Known: true, FinishedAt: e.CompletionTime.AsTime()}
	if st.FinishedAt.IsZero() {
		st.FinishedAt = time.Now()
	}
	res := t.GetLastAttemptResult()
	code := codes.Code(res.GetStatus().GetCode())
	switch {
	case res == nil && e.CancelledCount > 0, code == codes.Canceled && res.GetExitCode() == 0:
		st.ExitCode = 137
	case res != nil && (res.ExitCode != 0 || code == codes.OK):
		st.ExitCode = int(res.ExitCode)
	default:
		st.ExitCode = 128
		st.Error = "Cloud Run execution failed: " + cmp.Or(res.GetStatus().GetMessage(), completedMessage(e), "no reason given")
	}
	return st
}

// completedMessage is the message of an execution's Completed condition.
func completedMessage(e *runpb.Execution) string {
	for _, c := range e.Conditions {
		if c.Type == "Completed" {
			return c.Message
		}
	}
	return ""
}

// Stop cancels the container's running executions: Cloud Run sends
// SIGTERM, then SIGKILL 10 seconds later.
func (d *Driver) Stop(ctx context.Context, id string) error {
	execs, err := d.executions(ctx, id)
	if err != nil {
		return err
	}
	for _, e := range execs {
		if e.CompletionTime != nil {
			continue
		}
		_, err := d.cfg.Executions.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: e.Name})
		// An execution that completed meanwhile is stopped already.
		if err != nil && status.Code(err) != codes.NotFound && status.Code(err) != codes.FailedPrecondition {
			return fmt.Errorf("Cloud Run CancelExecution: %w", err)
		}
	}
	return nil
}

// Close closes the API clients of the driver's configuration.
func (d *Driver) Close() error {
	return errors.Join(d.cfg.Jobs.Close(), d.cfg.Executions.Close(), d.cfg.Tasks.Close(), d.cfg.Logs.Close())
}

// Remove deletes the container's executions, stopping those that run,
// and its job. Its output stays in Cloud Logging until the log bucket's
// retention drops it; Logs reads nothing once the job is gone.
func (d *Driver) Remove(ctx context.Context, id string) error {
	// Cancelled first: Cloud Run deletes executions that have completed.
	if err := d.Stop(ctx, id); err != nil {
		return err
	}
	execs, err := d.executions(ctx, id)
	if err != nil {
		return err
	}
	for _, e := range execs {
		op, err := d.cfg.Executions.DeleteExecution(ctx, &runpb.DeleteExecutionRequest{Name: e.Name})
		if err == nil {
			_, err = op.Wait(ctx)
		}
		if err != nil && status.Code(err) != codes.NotFound {
			return fmt.Errorf("Cloud Run DeleteExecution: %w", err)
		}
	}
	op, err := d.cfg.Jobs.DeleteJob(ctx, &runpb.DeleteJobRequest{Name: d.jobName(id)})
	if err == nil {
		_, err = op.Wait(ctx)
	}
	if err != nil && status.Code(err) != codes.NotFound {
		return fmt.Errorf("Cloud Run DeleteJob %s: %w", d.jobID(id), err)
	}
	return nil
}
