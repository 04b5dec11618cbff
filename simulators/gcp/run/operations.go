package run

import (
	"context"
	"strings"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Operations: a create, update or delete is done when it returns (the
// simulator has nothing to reconcile), with the resource as both metadata
// and response, as Cloud Run's are when done. A RunJob operation follows
// its execution: not done while it runs, then done with the execution
// as response, or with an error when the execution failed.

// newOp is an operation under the location of parent (a location or a
// job name) with msg as metadata.
func newOp(parent string, msg proto.Message) *lropb.Operation {
	m := jobRE.FindStringSubmatch(parent)
	if m != nil {
		parent = "projects/" + m[1] + "/locations/" + m[2]
	}
	meta, _ := anypb.New(msg)
	return &lropb.Operation{Name: parent + "/operations/" + newUID(), Metadata: meta}
}

// doneOp is a finished operation whose response is msg.
func doneOp(parent string, msg proto.Message) *lropb.Operation {
	op := newOp(parent, msg)
	resp, _ := anypb.New(msg)
	op.Done, op.Result = true, &lropb.Operation_Response{Response: resp}
	return op
}

// current is op as it stands now: an unfinished RunJob operation is
// brought up to date with its execution. The caller holds the lock.
func (st *state) current(op *lropb.Operation) *lropb.Operation {
	out := proto.Clone(op).(*lropb.Operation)
	if op.Done {
		return out
	}
	ref := &runpb.Execution{}
	if op.Metadata.UnmarshalTo(ref) != nil {
		return out
	}
	e := st.execs[ref.Name]
	if e == nil {
		out.Done = true
		out.Result = &lropb.Operation_Error{Error: &spb.Status{Code: int32(codes.NotFound), Message: "The execution " + ref.Name + " was deleted."}}
		return out
	}
	out.Metadata, _ = anypb.New(e)
	if e.CompletionTime == nil {
		return out
	}
	out.Done = true
	if e.SucceededCount == e.TaskCount {
		resp, _ := anypb.New(e)
		out.Result = &lropb.Operation_Response{Response: resp}
	} else {
		out.Result = &lropb.Operation_Error{Error: &spb.Status{Code: int32(codes.FailedPrecondition), Message: completedMessage(e)}}
	}
	return out
}

// completedMessage is the message of an execution's Completed condition.
func completedMessage(e *runpb.Execution) string {
	for _, c := range e.Conditions {
		if c.Type == condCompleted {
			return c.Message
		}
	}
	return ""
}

// operationsAPI is google.longrunning.Operations for Cloud Run.
type operationsAPI struct {
	lropb.UnimplementedOperationsServer
	s *Service
}

func (a operationsAPI) GetOperation(_ context.Context, req *lropb.GetOperationRequest) (*lropb.Operation, error) {
	if _, err := checkName(opRE, req.Name, opForm); err != nil {
		return nil, err
	}
	var out *lropb.Operation
	err := a.s.locked(func(st *state) error {
		op := st.ops[req.Name]
		if op == nil {
			return errorf(codes.NotFound, "Operation %s was not found.", req.Name)
		}
		out = st.current(op)
		return nil
	})
	return out, err
}

func (a operationsAPI) ListOperations(_ context.Context, req *lropb.ListOperationsRequest) (*lropb.ListOperationsResponse, error) {
	if _, err := checkName(parentRE, req.Name, parentForm); err != nil {
		return nil, err
	}
	out := &lropb.ListOperationsResponse{}
	err := a.s.locked(func(st *state) error {
		var names []string
		for name := range st.ops {
			if strings.HasPrefix(name, req.Name+"/operations/") {
				names = append(names, name)
			}
		}
		page, next, err := paginate(names, req.PageSize, req.PageToken)
		for _, n := range page {
			out.Operations = append(out.Operations, st.current(st.ops[n]))
		}
		out.NextPageToken = next
		return err
	})
	return out, err
}

func (a operationsAPI) DeleteOperation(_ context.Context, req *lropb.DeleteOperationRequest) (*emptypb.Empty, error) {
	if _, err := checkName(opRE, req.Name, opForm); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, a.s.locked(func(st *state) error {
		if st.ops[req.Name] == nil {
			return errorf(codes.NotFound, "Operation %s was not found.", req.Name)
		}
		delete(st.ops, req.Name)
		return save(st, bucketOps, map[string]*lropb.Operation{req.Name: nil})
	})
}
