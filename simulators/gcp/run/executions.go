package run

import (
	"fmt"
	"strconv"
	"time"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The condition types Cloud Run reports on executions and tasks.
const (
	condCompleted = "Completed"
	condResources = "ResourcesAvailable"
	condStarted   = "Started"
)

// outcome is how a task attempt ended.
type outcome int

const (
	taskSucceeded outcome = iota
	taskFailed
	taskCancelled
)

// runJob creates an execution of the job from its template and the
// request's overrides, and starts running it.
func (s *Service) runJob(req *runpb.RunJobRequest) (*lropb.Operation, error) {
	var op *lropb.Operation
	err := s.locked(func(st *state) error {
		j, err := st.job(req.Name)
		if err != nil {
			return err
		}
		if err := checkEtag(req.Etag, j.Etag); err != nil {
			return err
		}
		now := s.st.Now()
		e := newExecution(j, req.Overrides, now)
		op = newOp(j.Name, e)
		if req.ValidateOnly {
			return nil
		}
		for i := range e.TaskCount {
			t := newTask(e, i, now)
			st.tasks[t.Name] = t
			if err := st.saveTask(t); err != nil {
				return err
			}
		}
		st.execs[e.Name] = e
		j.ExecutionCount++
		j.LatestCreatedExecution = &runpb.ExecutionReference{Name: e.Name, CreateTime: e.CreateTime,
			CompletionStatus: runpb.ExecutionReference_EXECUTION_PENDING}
		for _, err := range []error{st.saveExec(e), st.saveJob(j), st.saveOp(op)} {
			if err != nil {
				return err
			}
		}
		s.start(e.Name)
		return nil
	})
	return op, err
}

// newExecution is an execution of j: its template with the overrides
// applied, pending.
func newExecution(j *runpb.Job, o *runpb.RunJobRequest_Overrides, now time.Time) *runpb.Execution {
	jt := j.Template
	id := lastSegment(j.Name) + "-" + suffix()
	ts := timestamppb.New(now)
	tmpl := proto.Clone(jt.Template).(*runpb.TaskTemplate)
	taskCount := jt.TaskCount
	if o != nil {
		if o.TaskCount > 0 {
			taskCount = o.TaskCount
		}
		if o.Timeout != nil {
			tmpl.Timeout = o.Timeout
		}
		for _, co := range o.ContainerOverrides {
			c := tmpl.Containers[0]
			if co.Name != "" && co.Name != c.Name {
				continue
			}
			if len(co.Args) > 0 || co.ClearArgs {
				c.Args = co.Args
			}
			c.Env = append(c.Env, co.Env...)
		}
	}
	pending := func(typ string) *runpb.Condition {
		return &runpb.Condition{Type: typ, State: runpb.Condition_CONDITION_PENDING, LastTransitionTime: ts}
	}
	return &runpb.Execution{
		Name: j.Name + "/executions/" + id, Uid: newUID(), Creator: "gcpsim", Generation: 1,
		Labels: jt.Labels, Annotations: jt.Annotations, CreateTime: ts, UpdateTime: ts,
		LaunchStage: j.LaunchStage, Job: lastSegment(j.Name), Parallelism: jt.Parallelism, TaskCount: taskCount,
		Template: tmpl, Reconciling: true, ObservedGeneration: 1,
		Conditions: []*runpb.Condition{pending(condCompleted), pending(condResources), pending(condStarted)},
		Etag:       fmt.Sprintf(`"%d"`, now.UnixNano()),
	}
}

// newTask is task index of execution e, pending.
func newTask(e *runpb.Execution, index int32, now time.Time) *runpb.Task {
	ts := timestamppb.New(now)
	id := lastSegment(e.Name) + "-task" + strconv.Itoa(int(index))
	t := e.Template
	return &runpb.Task{
		Name: e.Name + "/tasks/" + id, Uid: newUID(), Generation: 1, Labels: e.Labels, Annotations: e.Annotations,
		CreateTime: ts, UpdateTime: ts, Job: e.Job, Execution: lastSegment(e.Name), Containers: t.Containers,
		MaxRetries: maxRetries(t), Timeout: t.Timeout, ServiceAccount: t.ServiceAccount,
		ExecutionEnvironment: t.ExecutionEnvironment, Reconciling: true, ObservedGeneration: 1, Index: index,
		Conditions: []*runpb.Condition{{Type: condCompleted, State: runpb.Condition_CONDITION_PENDING, LastTransitionTime: ts}},
		Etag:       fmt.Sprintf(`"%d"`, now.UnixNano()),
	}
}

func maxRetries(t *runpb.TaskTemplate) int32 {
	if r, ok := t.Retries.(*runpb.TaskTemplate_MaxRetries); ok {
		return r.MaxRetries
	}
	return defaultMaxRetries
}

// setCondition sets the condition typ of conds to state and message.
func setCondition(conds []*runpb.Condition, typ string, state runpb.Condition_State, message string, now time.Time) {
	for _, c := range conds {
		if c.Type == typ {
			if c.State != state {
				c.LastTransitionTime = timestamppb.New(now)
			}
			c.State, c.Message = state, message
		}
	}
}

// finishTask records how a task's last attempt ended and completes it.
func finishTask(t *runpb.Task, now time.Time, o outcome, message string, exitCode int32) {
	ts := timestamppb.New(now)
	t.CompletionTime, t.UpdateTime, t.Reconciling = ts, ts, false
	state := runpb.Condition_CONDITION_FAILED
	if o == taskSucceeded {
		state = runpb.Condition_CONDITION_SUCCEEDED
	}
	if t.StartTime != nil || o != taskCancelled {
		t.LastAttemptResult = attemptResult(o, message, exitCode)
	}
	setCondition(t.Conditions, condCompleted, state, message, now)
	if o == taskCancelled {
		for _, c := range t.Conditions {
			if c.Type == condCompleted {
				c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLED}
			}
		}
	}
}

// attemptResult is how an attempt ended as Cloud Run reports it.
func attemptResult(o outcome, message string, exitCode int32) *runpb.TaskAttemptResult {
	st := &spb.Status{Code: int32(codes.OK)}
	switch o {
	case taskFailed:
		st = &spb.Status{Code: int32(codes.Unknown), Message: message}
	case taskCancelled:
		st = &spb.Status{Code: int32(codes.Canceled), Message: message}
	}
	return &runpb.TaskAttemptResult{Status: st, ExitCode: exitCode}
}

// recount sets an execution's task counts from its tasks.
func (st *state) recount(e *runpb.Execution) {
	e.RunningCount, e.SucceededCount, e.FailedCount, e.CancelledCount, e.RetriedCount = 0, 0, 0, 0, 0
	for _, t := range st.tasks {
		if parentOf(t.Name) != e.Name {
			continue
		}
		e.RetriedCount += t.Retried
		switch {
		case t.CompletionTime == nil && t.StartTime != nil:
			e.RunningCount++
		case t.CompletionTime == nil:
		case t.LastAttemptResult == nil || t.LastAttemptResult.Status.GetCode() == int32(codes.Canceled):
			e.CancelledCount++
		case t.LastAttemptResult.Status.GetCode() == int32(codes.OK):
			e.SucceededCount++
		default:
			e.FailedCount++
		}
	}
}

// finishExecLocked completes e from its tasks' outcomes and updates its
// job's reference to it. The caller holds the lock.
func (s *Service) finishExecLocked(st *state, e *runpb.Execution, now time.Time) error {
	st.recount(e)
	ts := timestamppb.New(now)
	e.CompletionTime, e.UpdateTime, e.Reconciling = ts, ts, false
	status := runpb.ExecutionReference_EXECUTION_SUCCEEDED
	state, message := runpb.Condition_CONDITION_SUCCEEDED, fmt.Sprintf("Execution completed successfully in %s.", now.Sub(e.CreateTime.AsTime()).Round(time.Second))
	var reason runpb.Condition_ExecutionReason
	switch {
	case e.CancelledCount > 0 && e.FailedCount == 0:
		status, state, message, reason = runpb.ExecutionReference_EXECUTION_CANCELLED, runpb.Condition_CONDITION_FAILED, "The execution was cancelled.", runpb.Condition_CANCELLED
	case e.SucceededCount != e.TaskCount:
		status, state, reason = runpb.ExecutionReference_EXECUTION_FAILED, runpb.Condition_CONDITION_FAILED, runpb.Condition_NON_ZERO_EXIT_CODE
		message = failedMessage(st, e)
	}
	setCondition(e.Conditions, condCompleted, state, message, now)
	for _, c := range e.Conditions {
		if c.Type == condCompleted && reason != runpb.Condition_EXECUTION_REASON_UNDEFINED {
			c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: reason}
		}
		if c.Type != condCompleted && c.State == runpb.Condition_CONDITION_PENDING {
			setCondition(e.Conditions, c.Type, state, message, now)
		}
	}
	if j := st.jobs[parentOf(e.Name)]; j != nil && j.LatestCreatedExecution.GetName() == e.Name {
		j.LatestCreatedExecution.CompletionTime, j.LatestCreatedExecution.CompletionStatus = ts, status
		if err := st.saveJob(j); err != nil {
			return err
		}
	}
	return st.saveExec(e)
}

// failedMessage says which task failed first (by index) and why.
func failedMessage(st *state, e *runpb.Execution) string {
	var first *runpb.Task
	for _, t := range st.tasks {
		if parentOf(t.Name) == e.Name && t.LastAttemptResult.GetStatus().GetCode() == int32(codes.Unknown) && (first == nil || t.Index < first.Index) {
			first = t
		}
	}
	if first == nil {
		return "The execution failed."
	}
	return fmt.Sprintf("Task %s failed with message: %s", lastSegment(first.Name), first.LastAttemptResult.Status.Message)
}
