// Package resourcemanager simulates what the Cloud Resource Manager API
// (cloudresourcemanager.googleapis.com) is asked of a project by
// google.golang.org/api/cloudresourcemanager and Terraform's
// google_project_service and google_project_iam_member: a project read
// (v1 and v3), and its IAM policy read and set with its etag
// (read-modify-write). The simulator serves every project, so any
// well-formed project ID is an ACTIVE project, numbered as the tokens
// package numbers it; its policy is empty until one is set.
package resourcemanager

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/gcp/tokens"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "resourcemanager" holds "policies" (project ID
// → Policy).
const (
	bucketRoot     = "resourcemanager"
	bucketPolicies = "policies"
)

// Service is the Resource Manager API's projects.
type Service struct {
	base     service.Base
	kv       *kv.Store
	mu       sync.Mutex
	policies map[string]*iampb.Policy
	created  time.Time
}

// New loads the projects' policies from b.DB.
func New(b service.Base) (*Service, error) {
	s := &Service{base: b.Defaults(""), policies: map[string]*iampb.Policy{}}
	s.created = s.base.Now().UTC().Truncate(time.Second)
	var err error
	if s.kv, err = kv.Open(b.DB, bucketRoot, bucketPolicies); err != nil {
		return nil, fmt.Errorf("resourcemanager: %w", err)
	}
	if err := protokv.LoadMap(s.kv, bucketPolicies, s.policies); err != nil {
		return nil, fmt.Errorf("resourcemanager: %w", err)
	}
	return s, nil
}

var (
	// projectIDRE is Google's rule for a project ID: 6 to 30 lowercase
	// letters, digits and hyphens, starting with a letter, not ending
	// with a hyphen.
	projectIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	numberRE    = regexp.MustCompile(`^[0-9]{1,19}$`)
	v1Project   = regexp.MustCompile(`^/v1/projects/([^/:]+)$`)
	v3Project   = regexp.MustCompile(`^/v3/projects/([^/:]+)$`)
)

// projectID is the ID a project ID or number names: a number names the
// configured project when it is that project's, else none.
func (s *Service) projectID(idOrNumber string) (string, error) {
	switch {
	case projectIDRE.MatchString(idOrNumber):
		return idOrNumber, nil
	case numberRE.MatchString(idOrNumber) && idOrNumber == tokens.ProjectNumberOf(s.base.AccountID):
		return s.base.AccountID, nil
	}
	return "", status.Errorf(codes.PermissionDenied, "The caller does not have permission")
}

// Routes claims GET of a project, v1 and v3.
func (s *Service) Routes() []service.Route {
	return []service.Route{{Name: "resourcemanager-projects", Match: func(r *http.Request, _ []byte) bool {
		p := r.URL.EscapedPath()
		return r.Method == http.MethodGet && (v1Project.MatchString(p) || v3Project.MatchString(p))
	}, Serve: s.serveProject}}
}

// REST is the IAM policy methods (v1: the project ID in the path).
func (s *Service) REST() []googlerest.Method {
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, `/v1/projects/([^/:]+):getIamPolicy`, "resource", "*", s.GetIamPolicy),
		googlerest.Bind(http.MethodPost, `/v1/projects/([^/:]+):setIamPolicy`, "resource", "*", s.SetIamPolicy),
		googlerest.Bind(http.MethodPost, `/v3/projects/([^/:]+):getIamPolicy`, "resource", "*", s.GetIamPolicy),
		googlerest.Bind(http.MethodPost, `/v3/projects/([^/:]+):setIamPolicy`, "resource", "*", s.SetIamPolicy),
	}
}

func (s *Service) serveProject(w http.ResponseWriter, r *http.Request, _ []byte) {
	p := r.URL.EscapedPath()
	v3 := v3Project.MatchString(p)
	seg := v1Project.FindStringSubmatch(p)
	if v3 {
		seg = v3Project.FindStringSubmatch(p)
	}
	id, err := s.projectID(seg[1])
	if err != nil {
		googlerest.WriteError(w, err)
		return
	}
	number := tokens.ProjectNumberOf(id)
	created := s.created.Format(time.RFC3339Nano)
	out := map[string]any{"projectNumber": number, "projectId": id, "lifecycleState": "ACTIVE", "name": id, "createTime": created}
	if v3 {
		out = map[string]any{"name": "projects/" + number, "projectId": id, "state": "ACTIVE", "displayName": id,
			"createTime": created, "updateTime": created, "etag": `W/"` + number + `"`}
	}
	googlerest.WriteJSON(w, out)
}

// GetIamPolicy is a project's policy: empty until one is set.
func (s *Service) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	id, err := s.projectID(strings.TrimPrefix(req.Resource, "projects/"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.policies[id]; p != nil {
		return proto.Clone(p).(*iampb.Policy), nil
	}
	return &iampb.Policy{Version: 1, Etag: []byte("ACAB")}, nil
}

// memberRE is the form of a policy member Google accepts.
var memberRE = regexp.MustCompile(`^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet|deleted:serviceAccount|deleted:user|deleted:group):.+)$`)

// SetIamPolicy replaces a project's policy; a policy carrying an etag
// must carry the current one.
func (s *Service) SetIamPolicy(_ context.Context, req *iampb.SetIamPolicyRequest) (*iampb.Policy, error) {
	id, err := s.projectID(strings.TrimPrefix(req.Resource, "projects/"))
	if err != nil {
		return nil, err
	}
	if req.Policy == nil {
		return nil, status.Errorf(codes.InvalidArgument, "policy is required")
	}
	for _, b := range req.Policy.Bindings {
		if !strings.HasPrefix(b.Role, "roles/") && !strings.Contains(b.Role, "/roles/") {
			return nil, status.Errorf(codes.InvalidArgument, "Role %s is not supported for this resource.", b.Role)
		}
		for _, m := range b.Members {
			if !memberRE.MatchString(m) {
				return nil, status.Errorf(codes.InvalidArgument, "Invalid member type in %s.", m)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	current := []byte("ACAB")
	if p := s.policies[id]; p != nil {
		current = p.Etag
	}
	if len(req.Policy.Etag) > 0 && !bytes.Equal(req.Policy.Etag, current) {
		return nil, status.Errorf(codes.Aborted, "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
	}
	p := proto.Clone(req.Policy).(*iampb.Policy)
	var bindings []*iampb.Binding
	for _, b := range p.Bindings {
		if len(b.Members) > 0 { // a binding left without members is gone, as Google drops it
			bindings = append(bindings, b)
		}
	}
	p.Bindings = bindings
	p.Etag = make([]byte, 8)
	rand.Read(p.Etag)
	if p.Version == 0 {
		p.Version = 1
	}
	if err := protokv.Save(s.kv, bucketPolicies, map[string]*iampb.Policy{id: p}); err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	s.policies[id] = p
	return proto.Clone(p).(*iampb.Policy), nil
}
