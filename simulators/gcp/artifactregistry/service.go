// Package artifactregistry simulates Artifact Registry for Docker images:
// the repositories of the API (google.devtools.artifactregistry.v1, over
// gRPC and REST as artifactregistry.googleapis.com/v1: create, get, list,
// update and delete, mutations returning done operations) and the Docker
// registry API v2 that serves LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE,
// built on kit/ociregistry.
//
// The registry is served on the simulator's own port, since the real
// hosts do not resolve to it: push to HOST:PORT/PROJECT/REPO/IMAGE, or
// send LOCATION-docker.pkg.dev as the Host (a client dialling the
// simulator for that name), which names the location. Without it, the
// repository is the one of that ID in the project, whichever its
// location; the registry's paths carry no location, so two repositories
// of one ID in two locations share their images. A registryUri is
// reported as Google's (LOCATION-docker.pkg.dev/PROJECT/REPO), which the
// simulated Cloud Run pulls from. Clients authenticate as with
// `gcloud auth configure-docker`: basic auth, user oauth2accesstoken and
// an access token the simulator issued as password (or that token as a
// Bearer token). Only DOCKER repositories in STANDARD mode are
// simulated; other formats and modes are refused, saying so.
package artifactregistry

import (
	"fmt"
	"net/http"
	"sync"

	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
	"github.com/sockerless/sockerless/simulators/gcp/internal/policy"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/ociregistry"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "artifactregistry" holds "repositories" (name →
// Repository as protojson), "operations", "manifests" (the registry's)
// and "policies" (repository name → IAM policy).
const (
	bucketRoot      = "artifactregistry"
	bucketRepos     = "repositories"
	bucketOps       = "operations"
	bucketManifests = "manifests"
	bucketPolicies  = "policies"
)

// Options configures a Service.
type Options struct {
	// Base is the state file and the clock.
	service.Base
	// BlobDir stores layer blobs on disk; empty keeps them in memory.
	BlobDir string
	// CheckToken fails unless an access token is valid; it guards the
	// Docker registry.
	CheckToken func(token string) error
}

// Service is Artifact Registry.
type Service struct {
	arpb.UnimplementedArtifactRegistryServer
	base       service.Base
	checkToken func(string) error
	kv         *kv.Store
	mu         sync.Mutex
	repos      map[string]*arpb.Repository // full name → repository
	ops        *lro.Store
	registry   *ociregistry.Registry
	policies   *policy.Store // repositories' IAM policies (policy.go)
}

// New loads the persisted repositories, operations and images.
func New(o Options) (*Service, error) {
	if o.CheckToken == nil {
		return nil, fmt.Errorf("artifactregistry: Options.CheckToken is required")
	}
	s := &Service{base: o.Base.Defaults(""), checkToken: o.CheckToken, repos: map[string]*arpb.Repository{}}
	var err error
	if s.kv, err = kv.Open(o.DB, bucketRoot, bucketRepos, bucketOps, bucketManifests, bucketPolicies); err != nil {
		return nil, fmt.Errorf("artifactregistry: %w", err)
	}
	if err := protokv.LoadMap(s.kv, bucketRepos, s.repos); err != nil {
		return nil, fmt.Errorf("artifactregistry: %w", err)
	}
	if s.ops, err = lro.Open(s.kv, bucketOps); err != nil {
		return nil, fmt.Errorf("artifactregistry: %w", err)
	}
	if s.registry, err = ociregistry.Open(s.kv, bucketManifests, o.BlobDir); err != nil {
		return nil, fmt.Errorf("artifactregistry: %w", err)
	}
	if s.policies, err = policy.Open(s.kv, bucketPolicies); err != nil {
		return nil, fmt.Errorf("artifactregistry: %w", err)
	}
	return s, nil
}

// Register serves the repositories API on g.
func (s *Service) Register(g *grpc.Server) { arpb.RegisterArtifactRegistryServer(g, s) }

// Operations is the Operations API over this service's operations.
func (s *Service) Operations() lropb.OperationsServer { return s.ops }

// The REST bindings (artifactregistry.googleapis.com/v1).
const (
	locPath  = `/v1/(projects/[^/:]+/locations/[^/:]+)`
	repoPath = `/v1/(projects/[^/:]+/locations/[^/:]+/repositories/[^/:]+)`
	opPath   = `/v1/(projects/[^/:]+/locations/[^/:]+/operations/[^/:]+)`
)

// REST is the API's REST methods.
func (s *Service) REST() []googlerest.Method {
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, locPath+"/repositories", "parent", "repository", s.CreateRepository),
		googlerest.Bind(http.MethodGet, locPath+"/repositories", "parent", "", s.ListRepositories),
		googlerest.Bind(http.MethodGet, repoPath, "name", "", s.GetRepository),
		googlerest.Bind(http.MethodPatch, repoPath, "repository.name", "repository", s.UpdateRepository),
		googlerest.Bind(http.MethodDelete, repoPath, "name", "", s.DeleteRepository),
		googlerest.Bind(http.MethodGet, opPath, "name", "", s.ops.GetOperation),
		googlerest.Bind(http.MethodGet, locPath+"/operations", "name", "", s.ops.ListOperations),
		googlerest.Bind(http.MethodGet, repoPath+":getIamPolicy", "resource", "", s.GetIamPolicy),
		googlerest.Bind(http.MethodPost, repoPath+":setIamPolicy", "resource", "*", s.SetIamPolicy),
	}
}

func (s *Service) saveRepo(name string, r *arpb.Repository) error {
	return protokv.Save(s.kv, bucketRepos, map[string]*arpb.Repository{name: r})
}
