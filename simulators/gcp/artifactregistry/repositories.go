package artifactregistry

import (
	"context"
	"regexp"
	"slices"
	"strings"

	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/fieldmask"
	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
)

var (
	locationRE = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)$`)
	repoRE     = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/repositories/([^/]+)$`)
	// repoIDRE is Artifact Registry's rule for a repository ID.
	repoIDRE = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

func checkName(re *regexp.Regexp, name, form string) ([]string, error) {
	m := re.FindStringSubmatch(name)
	if m == nil {
		return nil, errorf(codes.InvalidArgument, "Invalid resource name %q: expected %s", name, form)
	}
	return m[1:], nil
}

const (
	locationForm = "projects/{project}/locations/{location}"
	repoForm     = locationForm + "/repositories/{repository}"
)

func notFound() error { return errorf(codes.NotFound, "Requested entity was not found.") }

// registryURI is where a repository's images are named, as Google names it.
func registryURI(project, location, id string) string {
	return location + "-docker.pkg.dev/" + project + "/" + id
}

// CreateRepository creates a DOCKER repository in STANDARD mode.
func (s *Service) CreateRepository(_ context.Context, req *arpb.CreateRepositoryRequest) (*lropb.Operation, error) {
	loc, err := checkName(locationRE, req.Parent, locationForm)
	if err != nil {
		return nil, err
	}
	if !repoIDRE.MatchString(req.RepositoryId) {
		return nil, errorf(codes.InvalidArgument, "Invalid repository_id %q: it must start with a lowercase letter, end with a lowercase letter or digit, hold only lowercase letters, digits and hyphens, and be at most 63 characters long.", req.RepositoryId)
	}
	r := proto.Clone(req.GetRepository()).(*arpb.Repository)
	if r == nil {
		r = &arpb.Repository{}
	}
	if err := supported(r); err != nil {
		return nil, err
	}
	now := timestamppb.New(s.base.Now())
	r.Name = req.Parent + "/repositories/" + req.RepositoryId
	r.Mode = arpb.Repository_STANDARD_REPOSITORY
	r.CreateTime, r.UpdateTime = now, now
	r.RegistryUri = registryURI(loc[0], loc[1], req.RepositoryId)
	r.SizeBytes = 0
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repos[r.Name] != nil {
		return nil, errorf(codes.AlreadyExists, "the repository already exists")
	}
	if err := s.saveRepo(r.Name, r); err != nil {
		return nil, errorf(codes.Internal, "%v", err)
	}
	s.repos[r.Name] = r
	return s.ops.Done(req.Parent, &arpb.OperationMetadata{}, r)
}

// supported refuses what the simulator does not simulate.
func supported(r *arpb.Repository) error {
	switch r.Format {
	case arpb.Repository_FORMAT_UNSPECIFIED:
		return errorf(codes.InvalidArgument, "Repository format must be specified (the simulator serves DOCKER).")
	case arpb.Repository_DOCKER:
	default:
		return errorf(codes.InvalidArgument, "Repository format %s is not supported by the simulator: only DOCKER repositories are simulated.", r.Format)
	}
	if r.Mode != arpb.Repository_MODE_UNSPECIFIED && r.Mode != arpb.Repository_STANDARD_REPOSITORY {
		return errorf(codes.InvalidArgument, "Repository mode %s is not supported by the simulator: only STANDARD_REPOSITORY is simulated.", r.Mode)
	}
	if r.GetKmsKeyName() != "" {
		return errorf(codes.InvalidArgument, "kms_key_name is not supported by the simulator (there is no Cloud KMS).")
	}
	return nil
}

// GetRepository returns a repository.
func (s *Service) GetRepository(_ context.Context, req *arpb.GetRepositoryRequest) (*arpb.Repository, error) {
	if _, err := checkName(repoRE, req.Name, repoForm); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[req.Name]
	if r == nil {
		return nil, notFound()
	}
	return s.withSize(r), nil
}

// withSize is a copy of r with the size of the images it holds. The caller
// holds s.mu.
func (s *Service) withSize(r *arpb.Repository) *arpb.Repository {
	out := proto.Clone(r).(*arpb.Repository)
	m := repoRE.FindStringSubmatch(r.Name)
	for _, name := range s.registry.Repositories(m[1] + "/" + m[3] + "/") {
		for _, img := range s.registry.Images(name) {
			out.SizeBytes += int64(len(img.Body))
		}
	}
	return out
}

// ListRepositories lists a location's repositories by name.
func (s *Service) ListRepositories(_ context.Context, req *arpb.ListRepositoriesRequest) (*arpb.ListRepositoriesResponse, error) {
	if _, err := checkName(locationRE, req.Parent, locationForm); err != nil {
		return nil, err
	}
	if req.Filter != "" {
		return nil, errorf(codes.InvalidArgument, "filter is not supported by the simulator: list without one.")
	}
	if req.OrderBy != "" && req.OrderBy != "name" {
		return nil, errorf(codes.InvalidArgument, "order_by %q is not supported by the simulator: only \"name\".", req.OrderBy)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name := range s.repos {
		if strings.HasPrefix(name, req.Parent+"/repositories/") {
			names = append(names, name)
		}
	}
	page, next, err := pages.Paginate(names, req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	out := &arpb.ListRepositoriesResponse{NextPageToken: next}
	for _, n := range page {
		out.Repositories = append(out.Repositories, s.withSize(s.repos[n]))
	}
	return out, nil
}

// updatable are the fields an update may change, by field mask path.
var updatable = fieldmask.Setters[*arpb.Repository]{
	"description":            func(d, s *arpb.Repository) { d.Description = s.Description },
	"labels":                 func(d, s *arpb.Repository) { d.Labels = s.Labels },
	"docker_config":          func(d, s *arpb.Repository) { d.FormatConfig = s.FormatConfig },
	"cleanup_policies":       func(d, s *arpb.Repository) { d.CleanupPolicies = s.CleanupPolicies },
	"cleanup_policy_dry_run": func(d, s *arpb.Repository) { d.CleanupPolicyDryRun = s.CleanupPolicyDryRun },
}

// UpdateRepository changes the fields the mask names (every updatable
// one without a mask).
func (s *Service) UpdateRepository(_ context.Context, req *arpb.UpdateRepositoryRequest) (*arpb.Repository, error) {
	in := req.GetRepository()
	if _, err := checkName(repoRE, in.GetName(), repoForm); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.repos[in.Name]
	if old == nil {
		return nil, notFound()
	}
	r := proto.Clone(old).(*arpb.Repository)
	if err := updatable.Apply(req.GetUpdateMask().GetPaths(), r, in, "the fields that can be updated are description, labels, docker_config, cleanup_policies and cleanup_policy_dry_run."); err != nil {
		return nil, err
	}
	r.UpdateTime = timestamppb.New(s.base.Now())
	if err := s.saveRepo(r.Name, r); err != nil {
		return nil, errorf(codes.Internal, "%v", err)
	}
	s.repos[r.Name] = r
	return s.withSize(r), nil
}

// DeleteRepository deletes a repository and the images in it.
func (s *Service) DeleteRepository(_ context.Context, req *arpb.DeleteRepositoryRequest) (*lropb.Operation, error) {
	m, err := checkName(repoRE, req.Name, repoForm)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repos[req.Name] == nil {
		return nil, notFound()
	}
	if err := s.saveRepo(req.Name, nil); err != nil {
		return nil, errorf(codes.Internal, "%v", err)
	}
	delete(s.repos, req.Name)
	if err := s.policies.Delete(req.Name); err != nil {
		return nil, err
	}
	if len(s.byID(m[0], m[2])) == 0 {
		for _, name := range s.registry.Repositories(m[0] + "/" + m[2] + "/") {
			if err := s.registry.Purge(name); err != nil {
				return nil, errorf(codes.Internal, "%v", err)
			}
		}
	}
	return s.ops.Done("projects/"+m[0]+"/locations/"+m[1], &arpb.OperationMetadata{}, &emptypb.Empty{})
}

// byID returns the project's repositories of that ID, one per location
// that has one, by name. The caller holds s.mu.
func (s *Service) byID(project, id string) []*arpb.Repository {
	var out []*arpb.Repository
	for name, r := range s.repos {
		if m := repoRE.FindStringSubmatch(name); m[1] == project && m[3] == id {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *arpb.Repository) int { return strings.Compare(a.Name, b.Name) })
	return out
}
