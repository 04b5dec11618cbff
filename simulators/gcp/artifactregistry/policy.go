package artifactregistry

import (
	"context"

	"cloud.google.com/go/iam/apiv1/iampb"
)

// GetIamPolicy is a repository's IAM policy (GET :getIamPolicy in REST),
// as google_artifact_registry_repository_iam_member reads it.
func (s *Service) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.exists(req.Resource); err != nil {
		return nil, err
	}
	return s.policies.Get(req.Resource), nil
}

// SetIamPolicy replaces a repository's IAM policy, read-modify-write by
// its etag.
func (s *Service) SetIamPolicy(_ context.Context, req *iampb.SetIamPolicyRequest) (*iampb.Policy, error) {
	// Held throughout, so that a repository deleted meanwhile takes its
	// policy along (DeleteRepository holds it too).
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.exists(req.Resource); err != nil {
		return nil, err
	}
	return s.policies.Set(req.Resource, req.Policy)
}

// exists fails unless the repository exists. The caller holds s.mu.
func (s *Service) exists(name string) error {
	if _, err := checkName(repoRE, name, repoForm); err != nil {
		return err
	}
	if s.repos[name] == nil {
		return notFound()
	}
	return nil
}
