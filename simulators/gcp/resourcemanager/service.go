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
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/policy"
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
	policies *policy.Store
	created  time.Time
}

// New loads the projects' policies from b.DB.
func New(b service.Base) (*Service, error) {
	s := &Service{base: b.Defaults("")}
	s.created = s.base.Now().UTC().Truncate(time.Second)
	store, err := kv.Open(b.DB, bucketRoot, bucketPolicies)
	if err == nil {
		s.policies, err = policy.Open(store, bucketPolicies)
	}
	if err != nil {
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
	return s.policies.Get(id), nil
}

// SetIamPolicy replaces a project's policy; a policy carrying an etag
// must carry the current one.
func (s *Service) SetIamPolicy(_ context.Context, req *iampb.SetIamPolicyRequest) (*iampb.Policy, error) {
	id, err := s.projectID(strings.TrimPrefix(req.Resource, "projects/"))
	if err != nil {
		return nil, err
	}
	return s.policies.Set(id, req.Policy)
}
