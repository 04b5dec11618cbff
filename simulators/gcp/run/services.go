package run

import (
	"context"
	"fmt"
	"time"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/api"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Cloud Run's defaults for what a service's revision template leaves
// unset.
const (
	defaultRequestTimeout = 300 * time.Second
	defaultConcurrency    = 80
	defaultPort           = 8080
)

// servicesAPI is google.cloud.run.v2.Services. A create or update stores
// the service and a new revision, and returns an operation that is done
// once an instance of the revision listens on its port (or could not).
type servicesAPI struct {
	runpb.UnimplementedServicesServer
	s *Service
}

func (a servicesAPI) CreateService(_ context.Context, req *runpb.CreateServiceRequest) (*lropb.Operation, error) {
	if _, err := checkName(parentRE, req.Parent, parentForm); err != nil {
		return nil, err
	}
	if !jobIDRE.MatchString(req.ServiceId) || len(req.ServiceId) > 49 {
		return nil, errorf(codes.InvalidArgument, "service_id %q is invalid: it must be 1 to 49 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen", req.ServiceId)
	}
	if req.Service == nil {
		return nil, errorf(codes.InvalidArgument, "service is required")
	}
	svc := proto.Clone(req.Service).(*runpb.Service)
	svc.Name = req.Parent + "/services/" + req.ServiceId
	if err := checkRevisionTemplate(svc.Template); err != nil {
		return nil, err
	}
	return a.s.deployService(svc, req.ValidateOnly, func(st *state) (*runpb.Service, error) {
		if st.svcs[svc.Name] != nil {
			return nil, errorf(codes.AlreadyExists, "Resource '%s' already exists.", req.ServiceId)
		}
		return nil, nil
	})
}

func (a servicesAPI) GetService(_ context.Context, req *runpb.GetServiceRequest) (*runpb.Service, error) {
	return getOne(a.s, svcRE, req.Name, svcForm, (*state).service)
}

func (a servicesAPI) ListServices(_ context.Context, req *runpb.ListServicesRequest) (*runpb.ListServicesResponse, error) {
	svcs, next, err := listUnder(a.s, req.Parent, req.PageSize, req.PageToken, func(st *state) map[string]*runpb.Service { return st.svcs })
	if err != nil {
		return nil, err
	}
	return &runpb.ListServicesResponse{Services: svcs, NextPageToken: next}, nil
}

func (a servicesAPI) UpdateService(_ context.Context, req *runpb.UpdateServiceRequest) (*lropb.Operation, error) {
	if req.Service == nil {
		return nil, errorf(codes.InvalidArgument, "service is required")
	}
	if _, err := checkName(svcRE, req.Service.Name, svcForm); err != nil {
		return nil, err
	}
	svc := proto.Clone(req.Service).(*runpb.Service)
	if err := checkRevisionTemplate(svc.Template); err != nil {
		return nil, err
	}
	return a.s.deployService(svc, req.ValidateOnly, func(st *state) (*runpb.Service, error) {
		old := st.svcs[svc.Name]
		if old == nil && !req.AllowMissing {
			_, err := st.service(svc.Name)
			return nil, err
		}
		if old != nil {
			if err := checkEtag(svc.Etag, old.Etag); err != nil {
				return nil, err
			}
		}
		return old, nil
	})
}

func (a servicesAPI) DeleteService(_ context.Context, req *runpb.DeleteServiceRequest) (*lropb.Operation, error) {
	if _, err := checkName(svcRE, req.Name, svcForm); err != nil {
		return nil, err
	}
	var op *lropb.Operation
	err := a.s.locked(func(st *state) error {
		svc, err := st.service(req.Name)
		if err != nil {
			return err
		}
		if err := checkEtag(req.Etag, svc.Etag); err != nil {
			return err
		}
		gone := proto.Clone(svc).(*runpb.Service)
		gone.DeleteTime = timestamppb.New(a.s.st.Now())
		op = doneOp(parentOf(svc.Name), gone)
		if req.ValidateOnly {
			return nil
		}
		a.s.endpoints.Close(svc.Name)
		revs := map[string]*runpb.Revision{}
		for name, r := range st.revs {
			if r.Service == svc.Name {
				revs[name] = nil
				delete(st.revs, name)
			}
		}
		delete(st.svcs, svc.Name)
		if err := save(st, bucketRevs, revs); err != nil {
			return err
		}
		if err := save(st, bucketSvcs, map[string]*runpb.Service{svc.Name: nil}); err != nil {
			return err
		}
		return st.saveOp(op)
	})
	return op, err
}

// deployService stores svc and a new revision of it, after check (under
// the lock) has found nothing against it and returned the service it
// replaces (nil: a new one), and rolls the revision out in the
// background; the operation it returns is done when that has finished.
func (s *Service) deployService(svc *runpb.Service, validateOnly bool, check func(st *state) (*runpb.Service, error)) (*lropb.Operation, error) {
	var op *lropb.Operation
	var rev *runpb.Revision
	err := s.locked(func(st *state) error {
		old, err := check(st)
		if err != nil {
			return err
		}
		now := s.st.Now()
		fillService(svc, old, now)
		rev = newRevision(svc, now)
		svc.LatestCreatedRevision = rev.Name
		op = newOp(parentOf(svc.Name), svc)
		if validateOnly {
			op = doneOp(parentOf(svc.Name), svc)
			return nil
		}
		ep, err := s.endpoint(svc.Name)
		if err != nil {
			return errorf(codes.Internal, "the service's URL could not be opened: %v", err)
		}
		svc.Uri, svc.Urls = ep.URL(), []string{ep.URL()}
		st.svcs[svc.Name], st.revs[rev.Name] = svc, rev
		if err := save(st, bucketRevs, map[string]*runpb.Revision{rev.Name: rev}); err != nil {
			return err
		}
		if err := save(st, bucketSvcs, map[string]*runpb.Service{svc.Name: svc}); err != nil {
			return err
		}
		s.wg.Add(1)
		go s.rollOut(svc.Name, rev.Name, op.Name)
		return st.saveOp(op)
	})
	if err != nil {
		return nil, err
	}
	return proto.Clone(op).(*lropb.Operation), nil
}

// service is the service called name, or NOT_FOUND worded as Cloud Run
// words it.
func (st *state) service(name string) (*runpb.Service, error) {
	if svc := st.svcs[name]; svc != nil {
		return svc, nil
	}
	m := svcRE.FindStringSubmatch(name)
	return nil, errorf(codes.NotFound, "Resource '%s' of kind 'SERVICE' in region '%s' in project '%s' does not exist.", m[3], m[2], m[1])
}

// checkRevisionTemplate refuses a service's template Cloud Run would
// refuse, and one this simulator cannot serve (more than one container).
func checkRevisionTemplate(t *runpb.RevisionTemplate) error {
	if t == nil {
		return errorf(codes.InvalidArgument, "template is required: a service needs a revision template with a container")
	}
	cs := t.Containers
	switch {
	case len(cs) == 0:
		return errorf(codes.InvalidArgument, "template.containers: a service needs a container")
	case len(cs) > 1:
		return errorf(codes.InvalidArgument, "template.containers: gcpsim serves one container per instance; this service has %d", len(cs))
	case cs[0].Image == "":
		return errorf(codes.InvalidArgument, "template.containers[0].image is required")
	}
	if len(t.Volumes) > 0 {
		return errorf(codes.InvalidArgument, "template.volumes: gcpsim does not mount volumes into instances yet")
	}
	if to := t.Timeout; to != nil && (to.CheckValid() != nil || to.AsDuration() <= 0 || to.AsDuration() > time.Hour) {
		return errorf(codes.InvalidArgument, "template.timeout must be a positive duration of at most 3600s")
	}
	return nil
}

// fillService sets what Cloud Run sets on a service it stores: output
// fields and the template's defaults; old is the service it replaces.
func fillService(svc, old *runpb.Service, now time.Time) {
	ts := timestamppb.New(now)
	svc.Generation, svc.Uid, svc.CreateTime, svc.Creator = 1, newUID(), ts, "gcpsim"
	if old != nil {
		svc.Generation, svc.Uid, svc.CreateTime, svc.Creator = old.Generation+1, old.Uid, old.CreateTime, old.Creator
		svc.LatestReadyRevision = old.LatestReadyRevision
	}
	svc.UpdateTime, svc.LastModifier, svc.ObservedGeneration = ts, "gcpsim", svc.Generation
	svc.DeleteTime, svc.ExpireTime, svc.Reconciling = nil, nil, true
	if svc.LaunchStage == api.LaunchStage_LAUNCH_STAGE_UNSPECIFIED {
		svc.LaunchStage = api.LaunchStage_GA
	}
	if svc.Ingress == runpb.IngressTraffic_INGRESS_TRAFFIC_UNSPECIFIED {
		svc.Ingress = runpb.IngressTraffic_INGRESS_TRAFFIC_ALL
	}
	t := svc.Template
	if t.Timeout == nil {
		t.Timeout = durationpb.New(defaultRequestTimeout)
	}
	if t.MaxInstanceRequestConcurrency == 0 {
		t.MaxInstanceRequestConcurrency = defaultConcurrency
	}
	for i, c := range t.Containers {
		if c.Name == "" {
			c.Name = "container-" + fmt.Sprint(i)
		}
		if len(c.Ports) == 0 {
			c.Ports = []*runpb.ContainerPort{{Name: "http1", ContainerPort: defaultPort}}
		}
	}
	if len(svc.Traffic) == 0 {
		svc.Traffic = []*runpb.TrafficTarget{{Type: runpb.TrafficTargetAllocationType_TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, Percent: 100}}
	}
	svc.TerminalCondition = &runpb.Condition{Type: "Ready", State: runpb.Condition_CONDITION_RECONCILING, LastTransitionTime: ts}
	svc.Conditions = nil
	svc.Etag = fmt.Sprintf(`"%d-%d"`, svc.Generation, now.UnixNano())
}

// newRevision is the revision a deployment of svc creates, named as
// Cloud Run names it: SERVICE-GENERATION-SUFFIX.
func newRevision(svc *runpb.Service, now time.Time) *runpb.Revision {
	t := svc.Template
	id := fmt.Sprintf("%s-%05d-%s", lastSegment(svc.Name), svc.Generation, suffix()[:3])
	if t.Revision != "" {
		id = t.Revision
	}
	ts := timestamppb.New(now)
	return &runpb.Revision{
		Name: parentOf(svc.Name) + "/services/" + lastSegment(svc.Name) + "/revisions/" + id, Uid: newUID(), Generation: 1,
		Labels: t.Labels, Annotations: t.Annotations, CreateTime: ts, UpdateTime: ts, LaunchStage: svc.LaunchStage,
		Service: svc.Name, Scaling: t.Scaling, Timeout: t.Timeout, ServiceAccount: t.ServiceAccount,
		Containers: t.Containers, MaxInstanceRequestConcurrency: t.MaxInstanceRequestConcurrency,
		ExecutionEnvironment: t.ExecutionEnvironment, Reconciling: true, ObservedGeneration: 1, Creator: "gcpsim",
		Conditions: []*runpb.Condition{{Type: "Ready", State: runpb.Condition_CONDITION_RECONCILING, LastTransitionTime: ts}},
		Etag:       fmt.Sprintf(`"1-%d"`, now.UnixNano()),
	}
}
