package iam

import (
	"bytes"
	"context"
	"crypto/rand"

	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
)

// GetIamPolicy is a service account's policy: empty until one is set.
func (s *Service) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	var out *iampb.Policy
	return out, s.locked(func(st *state) error {
		a, err := st.account(req.Resource)
		if err != nil {
			return err
		}
		out = &iampb.Policy{Etag: []byte("ACAB")}
		if p := st.policies[a.Name]; p != nil {
			out = proto.Clone(p).(*iampb.Policy)
		}
		return nil
	})
}

// SetIamPolicy replaces a service account's policy; a policy carrying an
// etag must carry the current one (read-modify-write).
func (s *Service) SetIamPolicy(_ context.Context, req *iampb.SetIamPolicyRequest) (*iampb.Policy, error) {
	if req.Policy == nil {
		return nil, errorf(codes.InvalidArgument, "policy is required")
	}
	for _, b := range req.Policy.Bindings {
		if b.Role == "" || len(b.Members) == 0 {
			return nil, errorf(codes.InvalidArgument, "each binding needs a role and at least one member")
		}
	}
	var out *iampb.Policy
	return out, s.locked(func(st *state) error {
		a, err := st.account(req.Resource)
		if err != nil {
			return err
		}
		current := []byte("ACAB")
		if p := st.policies[a.Name]; p != nil {
			current = p.Etag
		}
		if len(req.Policy.Etag) > 0 && !bytes.Equal(req.Policy.Etag, current) {
			return errorf(codes.Aborted, "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
		}
		p := proto.Clone(req.Policy).(*iampb.Policy)
		p.Etag = make([]byte, 8)
		rand.Read(p.Etag)
		if p.Version == 0 {
			p.Version = 1
		}
		st.policies[a.Name] = p
		out = proto.Clone(p).(*iampb.Policy)
		return protokv.Save(st.store, bucketPolicies, map[string]*iampb.Policy{a.Name: p})
	})
}
