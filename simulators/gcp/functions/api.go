package functions

import (
	"context"
	"regexp"
	"strings"
	"time"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
)

var (
	parentRE = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)$`)
	fnRE     = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/functions/([^/]+)$`)
	// fnIDRE is Cloud Functions' rule for a function's id.
	fnIDRE = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	// goRuntimeRE is the runtimes the simulator builds: Go's.
	goRuntimeRE = regexp.MustCompile(`^go1[0-9]{2}$`)
)

const (
	parentForm = "projects/{project}/locations/{location}"
	fnForm     = parentForm + "/functions/{function}"
)

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

func checkName(re *regexp.Regexp, name, form string) ([]string, error) {
	m := re.FindStringSubmatch(name)
	if m == nil {
		return nil, errorf(codes.InvalidArgument, "Invalid resource name %q: expected %s", name, form)
	}
	return m, nil
}

func parentOf(name string) string {
	i := strings.LastIndex(name, "/")
	return name[:strings.LastIndex(name[:i], "/")]
}

// function is the function called name, INVALID_ARGUMENT when name is
// not a function's, or NOT_FOUND worded as Cloud Functions words it. The
// caller holds the lock.
func (s *Service) function(name string) (*functionspb.Function, error) {
	if _, err := checkName(fnRE, name, fnForm); err != nil {
		return nil, err
	}
	if f := s.fns[name]; f != nil {
		return f, nil
	}
	return nil, errorf(codes.NotFound, "Function %s does not exist", name[strings.LastIndex(name, "/")+1:])
}

func (s *Service) GetFunction(_ context.Context, req *functionspb.GetFunctionRequest) (*functionspb.Function, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.function(req.Name)
	if err != nil {
		return nil, err
	}
	return proto.Clone(f).(*functionspb.Function), nil
}

func (s *Service) ListFunctions(_ context.Context, req *functionspb.ListFunctionsRequest) (*functionspb.ListFunctionsResponse, error) {
	m, err := checkName(parentRE, req.Parent, parentForm)
	if err != nil {
		return nil, err
	}
	if req.Filter != "" {
		return nil, errorf(codes.InvalidArgument, "filter is not supported by gcpsim; list without one")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Location "-" is every location of the project.
	keep := func(name string) bool {
		return parentOf(name) == req.Parent || m[2] == "-" && fnRE.FindStringSubmatch(name)[1] == m[1]
	}
	out := &functionspb.ListFunctionsResponse{}
	out.Functions, out.NextPageToken, err = pages.Clones(s.fns, keep, req.PageSize, req.PageToken)
	return out, err
}

func (s *Service) CreateFunction(_ context.Context, req *functionspb.CreateFunctionRequest) (*lropb.Operation, error) {
	if _, err := checkName(parentRE, req.Parent, parentForm); err != nil {
		return nil, err
	}
	if !fnIDRE.MatchString(req.FunctionId) {
		return nil, errorf(codes.InvalidArgument, "Invalid function_id %q: it must be 1 to 63 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen", req.FunctionId)
	}
	if req.Function == nil {
		return nil, errorf(codes.InvalidArgument, "function is required")
	}
	f := proto.Clone(req.Function).(*functionspb.Function)
	f.Name = req.Parent + "/functions/" + req.FunctionId
	if err := checkFunction(f); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fns[f.Name] != nil {
		return nil, errorf(codes.AlreadyExists, "Function %s in region %s in project %s already exists", req.FunctionId, fnRE.FindStringSubmatch(f.Name)[2], fnRE.FindStringSubmatch(f.Name)[1])
	}
	now := s.base.Now()
	f.CreateTime = timestamppb.New(now)
	return s.deploy(f, "create", now)
}

func (s *Service) UpdateFunction(_ context.Context, req *functionspb.UpdateFunctionRequest) (*lropb.Operation, error) {
	if req.Function == nil {
		return nil, errorf(codes.InvalidArgument, "function is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.function(req.Function.Name)
	if err != nil {
		return nil, err
	}
	if old.State == functionspb.Function_DEPLOYING {
		return nil, errorf(codes.FailedPrecondition, "An operation on function %s is in progress. Please try again later.", req.Function.Name)
	}
	f := proto.Clone(old).(*functionspb.Function)
	if err := applyMask(f, req.Function, req.UpdateMask.GetPaths()); err != nil {
		return nil, err
	}
	if err := checkFunction(f); err != nil {
		return nil, err
	}
	return s.deploy(f, "update", s.base.Now())
}

func (s *Service) DeleteFunction(_ context.Context, req *functionspb.DeleteFunctionRequest) (*lropb.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.function(req.Name)
	if err != nil {
		return nil, err
	}
	if f.State == functionspb.Function_DEPLOYING {
		return nil, errorf(codes.FailedPrecondition, "An operation on function %s is in progress. Please try again later.", req.Name)
	}
	if err := s.forgetFunction(f.Name); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	delete(s.fns, f.Name)
	s.setBuild(f.Name, "")
	s.endpoints.Close(f.Name)
	now := timestamppb.New(s.base.Now())
	return s.ops.Done(parentOf(f.Name), metadata(f, "delete", now, now), &emptypb.Empty{})
}

// uploadTTL is how long an upload URL is good for, as Google's are.
const uploadTTL = 30 * time.Minute

func (s *Service) GenerateUploadUrl(_ context.Context, req *functionspb.GenerateUploadUrlRequest) (*functionspb.GenerateUploadUrlResponse, error) {
	m, err := checkName(parentRE, req.Parent, parentForm)
	if err != nil {
		return nil, err
	}
	if req.KmsKeyName != "" {
		return nil, errorf(codes.InvalidArgument, "kms_key_name: gcpsim does not encrypt sources with customer-managed keys")
	}
	// The bucket Cloud Functions keeps its uploads in, per project and
	// region.
	bucket := "gcf-v2-uploads-" + m[1] + "-" + m[2]
	if err := s.storage.EnsureBucket(m[1], bucket, m[2]); err != nil {
		return nil, status.Errorf(codes.Internal, "the uploads bucket could not be made: %v", err)
	}
	object := lro.NewID() + ".zip"
	return &functionspb.GenerateUploadUrlResponse{
		UploadUrl:     s.storage.SignedPutURL(s.url(), bucket, object, uploadTTL),
		StorageSource: &functionspb.StorageSource{Bucket: bucket, Object: object},
	}, nil
}

// ListRuntimes lists Cloud Functions' 2nd gen runtimes; those the
// simulator cannot build carry a warning saying so.
func (s *Service) ListRuntimes(_ context.Context, req *functionspb.ListRuntimesRequest) (*functionspb.ListRuntimesResponse, error) {
	if _, err := checkName(parentRE, req.Parent, parentForm); err != nil {
		return nil, err
	}
	out := &functionspb.ListRuntimesResponse{}
	for _, r := range []struct{ name, display string }{
		{"go121", "Go 1.21"}, {"go122", "Go 1.22"}, {"go123", "Go 1.23"}, {"go124", "Go 1.24"}, {"go125", "Go 1.25"},
		{"nodejs20", "Node.js 20"}, {"nodejs22", "Node.js 22"}, {"python312", "Python 3.12"}, {"python313", "Python 3.13"},
		{"java21", "Java 21"}, {"ruby33", "Ruby 3.3"}, {"php83", "PHP 8.3"}, {"dotnet8", ".NET 8"},
	} {
		rt := &functionspb.ListRuntimesResponse_Runtime{Name: r.name, DisplayName: r.display,
			Stage: functionspb.ListRuntimesResponse_GA, Environment: functionspb.Environment_GEN_2}
		if !goRuntimeRE.MatchString(r.name) {
			rt.Warnings = []string{"gcpsim builds only the Go runtimes; a function of this runtime is refused"}
		}
		out.Runtimes = append(out.Runtimes, rt)
	}
	return out, nil
}

// checkFunction refuses a function Cloud Functions would refuse, and one
// the simulator cannot build or run, saying why.
func checkFunction(f *functionspb.Function) error {
	b := f.BuildConfig
	switch {
	case b == nil:
		return errorf(codes.InvalidArgument, "build_config is required")
	case b.Runtime == "":
		return errorf(codes.InvalidArgument, "build_config.runtime is required")
	case !goRuntimeRE.MatchString(b.Runtime):
		return errorf(codes.InvalidArgument, "Invalid runtime %q: gcpsim builds only the Go runtimes (go121 to go125), as Go's buildpack does, with this machine's Go toolchain", b.Runtime)
	case b.EntryPoint == "":
		return errorf(codes.InvalidArgument, "build_config.entry_point is required: the name of the function to serve")
	case b.Source.GetStorageSource() == nil:
		return errorf(codes.InvalidArgument, "build_config.source.storage_source is required: gcpsim builds sources uploaded with generateUploadUrl or in a bucket")
	case b.Source.GetStorageSource().GetBucket() == "" || b.Source.GetStorageSource().GetObject() == "":
		return errorf(codes.InvalidArgument, "build_config.source.storage_source needs a bucket and an object")
	case f.EventTrigger != nil:
		return errorf(codes.InvalidArgument, "event_trigger: gcpsim serves HTTP functions only")
	}
	if t := f.ServiceConfig.GetTimeoutSeconds(); t < 0 || t > 3600 {
		return errorf(codes.InvalidArgument, "service_config.timeout_seconds must be between 1 and 3600")
	}
	return nil
}

// metadata is an operation's metadata, as Cloud Functions gives it.
func metadata(f *functionspb.Function, verb string, created, ended *timestamppb.Timestamp) *functionspb.OperationMetadata {
	req, _ := anypb.New(f)
	kind := map[string]functionspb.OperationType{"create": functionspb.OperationType_CREATE_FUNCTION,
		"update": functionspb.OperationType_UPDATE_FUNCTION, "delete": functionspb.OperationType_DELETE_FUNCTION}[verb]
	m := &functionspb.OperationMetadata{CreateTime: created, EndTime: ended, Target: f.Name, Verb: verb,
		ApiVersion: "v2", RequestResource: req, OperationType: kind}
	if verb != "delete" {
		// The stages gcloud shows while it waits: the build, then the
		// service; the simulator reports both done when the operation is.
		build, svc := functionspb.Stage_IN_PROGRESS, functionspb.Stage_NOT_STARTED
		if ended != nil {
			build, svc = functionspb.Stage_COMPLETE, functionspb.Stage_COMPLETE
		}
		m.Stages = []*functionspb.Stage{{Name: functionspb.Stage_BUILD, State: build, Resource: f.BuildConfig.GetBuild()},
			{Name: functionspb.Stage_SERVICE, State: svc, Resource: f.Name}}
	}
	return m
}
