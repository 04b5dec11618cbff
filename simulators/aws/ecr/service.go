// Package ecr simulates Amazon Elastic Container Registry: the JSON 1.1
// control API (X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.*) for
// repositories and authorization tokens, and the OCI distribution API for
// push and pull (Registry), built on go-containerregistry's registry.
//
// ECR's real registry hosts, <account>.dkr.ecr.<region>.amazonaws.com,
// do not resolve to the simulator, so repositoryUri is reported as
// <simulator host:port>/<name> (for example 127.0.0.1:4566/app), which is
// what clients push to and pull from. Docker treats 127.0.0.0/8 as an
// insecure registry already, so plain HTTP works. Repositories are
// per-region in the control API, but the registry has no region in its
// URLs: a push is accepted when a repository of that name exists in any
// region.
package ecr

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/ociregistry"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TargetPrefix is the X-Amz-Target prefix of ECR operations.
const TargetPrefix = "AmazonEC2ContainerRegistry_V20150921."

// TokenLifetime is how long GetAuthorizationToken's tokens are valid, as
// in ECR.
const TokenLifetime = 12 * time.Hour

// Options configures a Service.
type Options struct {
	// Base is the state file (repositories and manifests), the account
	// (the registry id, in ARNs) and the clock for creation times and
	// token expiry.
	service.Base
	// BlobDir stores layer blobs on disk; empty keeps them in memory.
	BlobDir string
	// Endpoint returns the simulator's URL (http://host:port): the
	// registry's proxyEndpoint and the host of repository URIs.
	Endpoint func() string
}

// Service is the ECR endpoint of one account.
type Service struct {
	awsjson.Core[*store]
	endpoint func() string
	registry *ociregistry.Registry
}

// New loads persisted state and returns a Service whose registry already
// holds the persisted images.
func New(o Options) (*Service, error) {
	if o.Endpoint == nil {
		return nil, errors.New("ecr: Options.Endpoint is required")
	}
	s, err := awsjson.Open(o.Base, openStore, &api, func(c awsjson.Core[*store]) *Service {
		return &Service{Core: c, endpoint: o.Endpoint}
	})
	if err != nil {
		return nil, err
	}
	if err := s.initRegistry(o.BlobDir); err != nil {
		return nil, err
	}
	return s, nil
}

func invalid(format string, args ...any) *awsjson.Error {
	return awsjson.BadRequest("InvalidParameterException", fmt.Sprintf(format, args...))
}

func (s *Service) repoNotFound(name string) *awsjson.Error {
	return awsjson.BadRequest("RepositoryNotFoundException", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, s.AccountID))
}

func internal(err error) *awsjson.Error {
	return &awsjson.Error{Type: "ServerException", Message: err.Error(), Status: http.StatusInternalServerError}
}

var api = awsjson.API[Service]{
	Ops: map[string]awsjson.Handler[Service]{
		"CreateRepository":      awsjson.Op((*Service).createRepository),
		"DescribeRepositories":  awsjson.Op((*Service).describeRepositories),
		"DeleteRepository":      awsjson.Op((*Service).deleteRepository),
		"GetAuthorizationToken": awsjson.Op((*Service).getAuthorizationToken),
		"ListImages":            awsjson.Op((*Service).listImages),
		"BatchDeleteImage":      awsjson.Op((*Service).batchDeleteImage),
		"TagResource":           awsjson.Op((*Service).tagResource),
		"UntagResource":         awsjson.Op((*Service).untagResource),
		"ListTagsForResource":   awsjson.Op((*Service).listTagsForResource),
	},
	Internal: func(err error) awsjson.Fault { return internal(err) },
}

var repoNameRE = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

type repositoryOut struct {
	RepositoryArn              string  `json:"repositoryArn"`
	RegistryID                 string  `json:"registryId"`
	RepositoryName             string  `json:"repositoryName"`
	RepositoryURI              string  `json:"repositoryUri"`
	CreatedAt                  float64 `json:"createdAt"`
	ImageTagMutability         string  `json:"imageTagMutability"`
	ImageScanningConfiguration struct {
		ScanOnPush bool `json:"scanOnPush"`
	} `json:"imageScanningConfiguration"`
	EncryptionConfiguration struct {
		EncryptionType string `json:"encryptionType"`
	} `json:"encryptionConfiguration"`
}

// host is the simulator's host:port, the registry part of repository URIs.
func (s *Service) host() string {
	e := s.endpoint()
	if i := strings.Index(e, "://"); i >= 0 {
		e = e[i+3:]
	}
	return strings.TrimSuffix(e, "/")
}

func (s *Service) render(r *repo) repositoryOut {
	out := repositoryOut{
		RepositoryArn:      s.repoARN(r),
		RegistryID:         s.AccountID,
		RepositoryName:     r.Name,
		RepositoryURI:      s.host() + "/" + r.Name,
		CreatedAt:          float64(r.Created.UnixMilli()) / 1000,
		ImageTagMutability: r.Mutability,
	}
	out.ImageScanningConfiguration.ScanOnPush = r.ScanOnPush
	out.EncryptionConfiguration.EncryptionType = "AES256"
	return out
}

type createIn struct {
	RepositoryName             string `json:"repositoryName"`
	ImageTagMutability         string `json:"imageTagMutability"`
	ImageScanningConfiguration *struct {
		ScanOnPush bool `json:"scanOnPush"`
	} `json:"imageScanningConfiguration"`
	Tags []Tag `json:"tags"`
}

type repositoryResult struct {
	Repository repositoryOut `json:"repository"`
}

func checkName(name string) *awsjson.Error {
	if name == "" {
		return invalid("1 validation error detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null")
	}
	if len(name) < 2 || len(name) > 256 || !repoNameRE.MatchString(name) {
		return invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''")
	}
	return nil
}

func (s *Service) createRepository(region string, in *createIn) (repositoryResult, *awsjson.Error) {
	if aerr := checkName(in.RepositoryName); aerr != nil {
		return repositoryResult{}, aerr
	}
	switch in.ImageTagMutability {
	case "":
		in.ImageTagMutability = "MUTABLE"
	case "MUTABLE", "IMMUTABLE":
	default:
		return repositoryResult{}, invalid("1 validation error detected: Value '%s' at 'imageTagMutability' failed to satisfy constraint: Member must satisfy enum value set: [MUTABLE, IMMUTABLE]", in.ImageTagMutability)
	}
	if s.St.repos[repoKey(region, in.RepositoryName)] != nil {
		return repositoryResult{}, awsjson.BadRequest("RepositoryAlreadyExistsException", fmt.Sprintf("The repository with name '%s' already exists in the registry with id '%s'", in.RepositoryName, s.AccountID))
	}
	tags, aerr := mergeTags(nil, in.Tags)
	if aerr != nil {
		return repositoryResult{}, aerr
	}
	r := &repo{Region: region, Name: in.RepositoryName, Created: s.Now(), Mutability: in.ImageTagMutability, Tags: tags}
	if in.ImageScanningConfiguration != nil {
		r.ScanOnPush = in.ImageScanningConfiguration.ScanOnPush
	}
	if err := s.St.putRepo(r); err != nil {
		return repositoryResult{}, internal(err)
	}
	return repositoryResult{s.render(r)}, nil
}

type describeIn struct {
	RepositoryNames []string `json:"repositoryNames"`
	MaxResults      *int     `json:"maxResults"`
	NextToken       string   `json:"nextToken"`
}

type describeOut struct {
	Repositories []repositoryOut `json:"repositories"`
	NextToken    string          `json:"nextToken,omitempty"`
}

func (s *Service) describeRepositories(region string, in *describeIn) (describeOut, *awsjson.Error) {
	out := describeOut{Repositories: []repositoryOut{}}
	if len(in.RepositoryNames) > 0 {
		if in.MaxResults != nil || in.NextToken != "" {
			return out, invalid("Cannot specify maxResults or nextToken when repositoryNames is specified.")
		}
		for _, name := range in.RepositoryNames {
			r := s.St.repos[repoKey(region, name)]
			if r == nil {
				return describeOut{}, s.repoNotFound(name)
			}
			out.Repositories = append(out.Repositories, s.render(r))
		}
		return out, nil
	}
	limit := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return out, invalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	var names []string
	for _, r := range s.St.repos {
		if r.Region == region {
			names = append(names, r.Name)
		}
	}
	sort.Strings(names)
	// The token is the name the next page starts at.
	start := sort.SearchStrings(names, in.NextToken)
	end := min(start+limit, len(names))
	if end < len(names) {
		out.NextToken = names[end]
	}
	for _, name := range names[start:end] {
		out.Repositories = append(out.Repositories, s.render(s.St.repos[repoKey(region, name)]))
	}
	return out, nil
}

type deleteIn struct {
	RepositoryName string `json:"repositoryName"`
	Force          bool   `json:"force"`
}

func (s *Service) deleteRepository(region string, in *deleteIn) (repositoryResult, *awsjson.Error) {
	if aerr := checkName(in.RepositoryName); aerr != nil {
		return repositoryResult{}, aerr
	}
	r := s.St.repos[repoKey(region, in.RepositoryName)]
	if r == nil {
		return repositoryResult{}, s.repoNotFound(in.RepositoryName)
	}
	if len(s.registry.Images(r.Name)) > 0 {
		if !in.Force {
			return repositoryResult{}, awsjson.BadRequest("RepositoryNotEmptyException", fmt.Sprintf("The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", r.Name, s.AccountID))
		}
		if err := s.registry.Purge(r.Name); err != nil {
			return repositoryResult{}, internal(err)
		}
	}
	if err := s.St.dropRepo(r); err != nil {
		return repositoryResult{}, internal(err)
	}
	return repositoryResult{s.render(r)}, nil
}
