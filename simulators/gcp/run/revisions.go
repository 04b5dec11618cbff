package run

import (
	"context"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
)

// revisionsAPI is google.cloud.run.v2.Revisions: the revisions each
// deployment of a service creates.
type revisionsAPI struct {
	runpb.UnimplementedRevisionsServer
	s *Service
}

func (a revisionsAPI) GetRevision(_ context.Context, req *runpb.GetRevisionRequest) (*runpb.Revision, error) {
	return getOne(a.s, revRE, req.Name, revForm, (*state).revision)
}

func (a revisionsAPI) ListRevisions(_ context.Context, req *runpb.ListRevisionsRequest) (*runpb.ListRevisionsResponse, error) {
	if _, err := checkName(svcRE, req.Parent, svcForm); err != nil {
		return nil, err
	}
	out := &runpb.ListRevisionsResponse{}
	err := a.s.locked(func(st *state) error {
		if _, err := st.service(req.Parent); err != nil {
			return err
		}
		var err error
		out.Revisions, out.NextPageToken, err = pages.Clones(st.revs, func(name string) bool { return st.revs[name].Service == req.Parent },
			req.PageSize, req.PageToken)
		return err
	})
	return out, err
}

func (a revisionsAPI) DeleteRevision(_ context.Context, req *runpb.DeleteRevisionRequest) (*lropb.Operation, error) {
	if _, err := checkName(revRE, req.Name, revForm); err != nil {
		return nil, err
	}
	var op *lropb.Operation
	err := a.s.locked(func(st *state) error {
		r, err := st.revision(req.Name)
		if err != nil {
			return err
		}
		if svc := st.svcs[r.Service]; svc != nil && (svc.LatestCreatedRevision == r.Name || svc.LatestReadyRevision == r.Name) {
			return errorf(codes.FailedPrecondition, "Revision %s is the latest revision of service %s and cannot be deleted.", lastSegment(r.Name), lastSegment(r.Service))
		}
		gone := proto.Clone(r).(*runpb.Revision)
		gone.DeleteTime = timestamppb.New(a.s.st.Now())
		op = doneOp(parentOf(r.Service), gone)
		if req.ValidateOnly {
			return nil
		}
		delete(st.revs, r.Name)
		if err := save(st, bucketRevs, map[string]*runpb.Revision{r.Name: nil}); err != nil {
			return err
		}
		return st.saveOp(op)
	})
	return op, err
}

// revision is the revision called name, or NOT_FOUND.
func (st *state) revision(name string) (*runpb.Revision, error) {
	if r := st.revs[name]; r != nil {
		return r, nil
	}
	m := revRE.FindStringSubmatch(name)
	return nil, errorf(codes.NotFound, "Resource '%s' of kind 'REVISION' in region '%s' in project '%s' does not exist.", m[4], m[2], m[1])
}

// rollOut starts an instance of revision rev of service svc and waits
// until it listens, then records the outcome on the service, the
// revision and operation op.
func (s *Service) rollOut(svc, rev, op string) {
	defer s.wg.Done()
	var ready func(context.Context) error
	s.locked(func(st *state) error {
		if ep := s.endpoints.Get(svc); ep != nil {
			ep.Replace() // the next instance runs the new revision
			ready = ep.Ready
		}
		return nil
	})
	err := errShutdown
	if ready != nil {
		err = ready(context.Background())
	}
	s.locked(func(st *state) error {
		sv, r, o := st.svcs[svc], st.revs[rev], st.ops[op]
		if o == nil || s.closing {
			return nil // shutting down: the operation stays unfinished
		}
		if sv == nil || r == nil || sv.LatestCreatedRevision != rev {
			done := proto.Clone(o).(*lropb.Operation)
			done.Done, done.Result = true, &lropb.Operation_Error{Error: &spb.Status{Code: int32(codes.Aborted),
				Message: "Revision '" + lastSegment(rev) + "' was deleted or replaced by a newer deployment before it was ready."}}
			return st.saveOp(done)
		}
		now := timestamppb.New(s.st.Now())
		sv.Reconciling, r.Reconciling = false, false
		cond := &runpb.Condition{Type: "Ready", State: runpb.Condition_CONDITION_SUCCEEDED, LastTransitionTime: now}
		if err != nil {
			cond.State, cond.Message = runpb.Condition_CONDITION_FAILED, "Revision '"+lastSegment(rev)+"' is not ready and cannot serve traffic. "+err.Error()
		}
		sv.TerminalCondition, r.Conditions = cond, []*runpb.Condition{proto.Clone(cond).(*runpb.Condition)}
		done := proto.Clone(o).(*lropb.Operation)
		done.Done = true
		if err != nil {
			done.Result = &lropb.Operation_Error{Error: &spb.Status{Code: int32(codes.FailedPrecondition), Message: cond.Message}}
		} else {
			sv.LatestReadyRevision = rev
			sv.TrafficStatuses = []*runpb.TrafficTargetStatus{{Type: runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, Percent: 100}}
			resp, _ := anypb.New(sv)
			done.Result = &lropb.Operation_Response{Response: resp}
		}
		done.Metadata, _ = anypb.New(sv)
		if err := save(st, bucketRevs, map[string]*runpb.Revision{rev: r}); err != nil {
			return err
		}
		if err := save(st, bucketSvcs, map[string]*runpb.Service{svc: sv}); err != nil {
			return err
		}
		return st.saveOp(done)
	})
}
