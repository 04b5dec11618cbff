package run

import (
	"context"
	"errors"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// executionsAPI is google.cloud.run.v2.Executions.
type executionsAPI struct {
	runpb.UnimplementedExecutionsServer
	s *Service
}

// tasksAPI is google.cloud.run.v2.Tasks.
type tasksAPI struct {
	runpb.UnimplementedTasksServer
	s *Service
}

var errDeleted = errors.New("the execution was deleted")

// exec is the execution called name, or NOT_FOUND.
func (st *state) exec(name string) (*runpb.Execution, error) {
	if e := st.execs[name]; e != nil {
		return e, nil
	}
	m := execRE.FindStringSubmatch(name)
	return nil, errorf(codes.NotFound, "Resource '%s' of kind 'EXECUTION' in region '%s' in project '%s' does not exist.", m[4], m[2], m[1])
}

func (a executionsAPI) GetExecution(_ context.Context, req *runpb.GetExecutionRequest) (*runpb.Execution, error) {
	if _, err := checkName(execRE, req.Name, execForm); err != nil {
		return nil, err
	}
	var out *runpb.Execution
	err := a.s.locked(func(st *state) error {
		e, err := st.exec(req.Name)
		out = proto.Clone(e).(*runpb.Execution)
		return err
	})
	return out, err
}

func (a executionsAPI) ListExecutions(_ context.Context, req *runpb.ListExecutionsRequest) (*runpb.ListExecutionsResponse, error) {
	m, err := checkName(jobRE, req.Parent, jobForm)
	if err != nil {
		return nil, err
	}
	out := &runpb.ListExecutionsResponse{}
	err = a.s.locked(func(st *state) error {
		// "-" as the job lists the executions of every job in the location.
		var names []string
		for name := range st.execs {
			if parentOf(name) == req.Parent || (m[2] == "-" && parentOf(parentOf(name)) == parentOf(req.Parent)) {
				names = append(names, name)
			}
		}
		page, next, err := paginate(names, req.PageSize, req.PageToken)
		for _, n := range page {
			out.Executions = append(out.Executions, proto.Clone(st.execs[n]).(*runpb.Execution))
		}
		out.NextPageToken = next
		return err
	})
	return out, err
}

// changeExec runs change on execution name under the lock, once the name
// is well formed, the execution exists and etag (if given) is its own.
func (s *Service) changeExec(name, etag string, change func(st *state, e *runpb.Execution) (*lropb.Operation, error)) (*lropb.Operation, error) {
	if _, err := checkName(execRE, name, execForm); err != nil {
		return nil, err
	}
	var op *lropb.Operation
	err := s.locked(func(st *state) error {
		e, err := st.exec(name)
		if err != nil {
			return err
		}
		if err := checkEtag(etag, e.Etag); err != nil {
			return err
		}
		op, err = change(st, e)
		return err
	})
	return op, err
}

func (a executionsAPI) DeleteExecution(_ context.Context, req *runpb.DeleteExecutionRequest) (*lropb.Operation, error) {
	return a.s.changeExec(req.Name, req.Etag, func(st *state, e *runpb.Execution) (*lropb.Operation, error) {
		op := doneOp(parentOf(e.Name), e)
		if req.ValidateOnly {
			return op, nil
		}
		// A running execution is stopped at once, its tasks killed.
		if r := a.s.running[e.Name]; r != nil {
			r.kill(errDeleted)
		}
		if err := st.deleteExec(e.Name); err != nil {
			return nil, err
		}
		return op, st.saveOp(op)
	})
}

func (a executionsAPI) CancelExecution(_ context.Context, req *runpb.CancelExecutionRequest) (*lropb.Operation, error) {
	return a.s.changeExec(req.Name, req.Etag, func(st *state, e *runpb.Execution) (*lropb.Operation, error) {
		if e.CompletionTime != nil {
			return nil, errorf(codes.FailedPrecondition, "Execution %s has already completed and cannot be cancelled.", lastSegment(e.Name))
		}
		if req.ValidateOnly {
			return doneOp(parentOf(e.Name), e), nil
		}
		// Cancelling stops the running tasks with SIGTERM (SIGKILL after
		// the grace period) and starts no more; the execution completes
		// once they have stopped.
		if r := a.s.running[e.Name]; r != nil {
			r.stop()
		}
		setCondition(e.Conditions, condCompleted, runpb.Condition_CONDITION_RECONCILING, "The execution is being cancelled.", a.s.st.Now())
		for _, c := range e.Conditions {
			if c.Type == condCompleted {
				c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLING}
			}
		}
		op := doneOp(parentOf(e.Name), e)
		if err := st.saveExec(e); err != nil {
			return nil, err
		}
		return op, st.saveOp(op)
	})
}

func (a tasksAPI) GetTask(_ context.Context, req *runpb.GetTaskRequest) (*runpb.Task, error) {
	m, err := checkName(taskRE, req.Name, taskForm)
	if err != nil {
		return nil, err
	}
	var out *runpb.Task
	err = a.s.locked(func(st *state) error {
		t := st.tasks[req.Name]
		if t == nil {
			return errorf(codes.NotFound, "Resource '%s' of kind 'TASK' in region '%s' in project '%s' does not exist.", m[4], m[1], m[0])
		}
		out = proto.Clone(t).(*runpb.Task)
		return nil
	})
	return out, err
}

func (a tasksAPI) ListTasks(_ context.Context, req *runpb.ListTasksRequest) (*runpb.ListTasksResponse, error) {
	if _, err := checkName(execRE, req.Parent, execForm); err != nil {
		return nil, err
	}
	out := &runpb.ListTasksResponse{}
	err := a.s.locked(func(st *state) error {
		if _, err := st.exec(req.Parent); err != nil {
			return err
		}
		var names []string
		for name := range st.tasks {
			if parentOf(name) == req.Parent {
				names = append(names, name)
			}
		}
		page, next, err := paginate(names, req.PageSize, req.PageToken, func(a, b string) int {
			return int(st.tasks[a].Index - st.tasks[b].Index) // tasks list in index order
		})
		for _, n := range page {
			out.Tasks = append(out.Tasks, proto.Clone(st.tasks[n]).(*runpb.Task))
		}
		out.NextPageToken = next
		return err
	})
	return out, err
}
