package functions

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
)

// Cloud Functions' defaults for what a function's service config leaves
// unset.
const (
	defaultTimeoutSeconds = 60
	defaultMemory         = "256M"
	defaultCPU            = "0.1666"
	defaultMaxInstances   = 100
)

// deploy stores f as being deployed and builds and starts it in the
// background; the operation it returns is done when that has finished.
// The caller holds the lock.
func (s *Service) deploy(f *functionspb.Function, verb string, now time.Time) (*lropb.Operation, error) {
	ts := timestamppb.New(now)
	f.State, f.UpdateTime, f.Environment, f.StateMessages = functionspb.Function_DEPLOYING, ts, functionspb.Environment_GEN_2, nil
	id := f.Name[strings.LastIndex(f.Name, "/")+1:]
	if f.ServiceConfig == nil {
		f.ServiceConfig = &functionspb.ServiceConfig{}
	}
	sc := f.ServiceConfig
	if sc.TimeoutSeconds == 0 {
		sc.TimeoutSeconds = defaultTimeoutSeconds
	}
	if sc.AvailableMemory == "" {
		sc.AvailableMemory = defaultMemory
	}
	if sc.AvailableCpu == "" {
		sc.AvailableCpu = defaultCPU
	}
	if sc.MaxInstanceCount == 0 {
		sc.MaxInstanceCount = defaultMaxInstances
	}
	if sc.MaxInstanceRequestConcurrency == 0 {
		sc.MaxInstanceRequestConcurrency = 1
	}
	if sc.IngressSettings == functionspb.ServiceConfig_INGRESS_SETTINGS_UNSPECIFIED {
		sc.IngressSettings = functionspb.ServiceConfig_ALLOW_ALL
	}
	sc.AllTrafficOnLatestRevision = true
	gen := 1
	if sc.Revision != "" {
		gen = revisionNumber(sc.Revision) + 1
	}
	sc.Revision = fmt.Sprintf("%s-%05d-%s", id, gen, lro.NewID()[:3])
	f.BuildConfig.Build = parentOf(f.Name) + "/builds/" + lro.NewID()
	ep, err := s.endpoint(f.Name)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "the function's URL could not be opened: %v", err)
	}
	f.Url, sc.Uri = ep.URL(), ep.URL()
	op, err := s.ops.Start(parentOf(f.Name), metadata(f, verb, ts, nil))
	if err != nil {
		return nil, err
	}
	if err := s.saveFunction(f); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	s.fns[f.Name] = f
	s.wg.Add(1)
	go s.rollOut(proto.Clone(f).(*functionspb.Function), verb, ts, op.Name)
	return op, nil
}

// rollOut builds f, starts an instance of the build and waits until it
// listens, then records the outcome on the function and operation op.
func (s *Service) rollOut(f *functionspb.Function, verb string, created *timestamppb.Timestamp, op string) {
	defer s.wg.Done()
	bin, err := s.build(context.Background(), f)
	if err == nil {
		var ready func(context.Context) error
		s.mu.Lock()
		if ep := s.endpoints.Get(f.Name); ep != nil && !s.closing {
			s.setBuild(f.Name, bin)
			ep.Replace() // the next instance runs the new build
			ready = ep.Ready
		}
		s.mu.Unlock()
		if ready == nil {
			return // deleted or shutting down
		}
		if rerr := ready(context.Background()); rerr != nil {
			err = status.Errorf(codes.FailedPrecondition, "Could not create or update Cloud Run service %s, Container Healthcheck failed. %v", f.Name[strings.LastIndex(f.Name, "/")+1:], rerr)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.fns[f.Name]
	if cur == nil || s.closing {
		return
	}
	cur.UpdateTime = timestamppb.New(s.base.Now())
	cur.State = functionspb.Function_ACTIVE
	if err != nil {
		cur.State = functionspb.Function_FAILED
		cur.StateMessages = []*functionspb.StateMessage{{Severity: functionspb.StateMessage_ERROR, Type: "DeploymentError", Message: status.Convert(err).Message()}}
	}
	s.saveFunction(cur)
	out := proto.Clone(cur).(*functionspb.Function)
	s.ops.Finish(op, metadata(out, verb, created, cur.UpdateTime), out, err)
}

// revisionNumber is the generation in a revision's name, ID-00002-abc.
func revisionNumber(rev string) int {
	parts := strings.Split(rev, "-")
	if len(parts) < 3 {
		return 0
	}
	n := 0
	for _, c := range parts[len(parts)-2] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// setBuild records bin as function name's build and removes the build
// it replaces (its process, if still running, is being replaced). The
// caller holds the lock.
func (s *Service) setBuild(name, bin string) {
	if old := s.builds[name]; old != "" && old != bin {
		os.RemoveAll(filepath.Dir(old))
	}
	if bin == "" {
		delete(s.builds, name)
		return
	}
	s.builds[name] = bin
}
