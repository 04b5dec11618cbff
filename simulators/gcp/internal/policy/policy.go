// Package policy keeps the IAM policies of a service's resources the way
// Google's setIamPolicy/getIamPolicy treat them: empty until set, an etag
// that changes with every write and must match when a write carries one
// (read-modify-write), bindings checked for a role and well-formed
// members, a binding left without members dropped. Policies persist in a
// sub-bucket of the service's state.
package policy

import (
	"bytes"
	"crypto/rand"
	"regexp"
	"strings"
	"sync"

	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Store is one service's policies, by resource name.
type Store struct {
	kv       *kv.Store
	bucket   string
	mu       sync.Mutex
	policies map[string]*iampb.Policy
}

// Open loads the policies kept in the sub-bucket of store (which the
// caller opened with it).
func Open(store *kv.Store, bucket string) (*Store, error) {
	s := &Store{kv: store, bucket: bucket, policies: map[string]*iampb.Policy{}}
	if err := protokv.LoadMap(store, bucket, s.policies); err != nil {
		return nil, err
	}
	return s, nil
}

// emptyEtag is the etag of a policy never set, as Google gives it.
var emptyEtag = []byte("ACAB")

// Get is resource's policy: empty, version 1, until one is set.
func (s *Store) Get(resource string) *iampb.Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.policies[resource]; p != nil {
		return proto.Clone(p).(*iampb.Policy)
	}
	return &iampb.Policy{Version: 1, Etag: emptyEtag}
}

// memberRE is the form of a policy member Google accepts.
var memberRE = regexp.MustCompile(`^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet|deleted:serviceAccount|deleted:user|deleted:group):.+)$`)

// Set replaces resource's policy with p and returns it with its new etag.
func (s *Store) Set(resource string, p *iampb.Policy) (*iampb.Policy, error) {
	if p == nil {
		return nil, status.Errorf(codes.InvalidArgument, "policy is required")
	}
	for _, b := range p.Bindings {
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
	current := emptyEtag
	if old := s.policies[resource]; old != nil {
		current = old.Etag
	}
	if len(p.Etag) > 0 && !bytes.Equal(p.Etag, current) {
		return nil, status.Errorf(codes.Aborted, "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
	}
	kept := proto.Clone(p).(*iampb.Policy)
	kept.Bindings = nil
	for _, b := range p.Bindings {
		if len(b.Members) > 0 {
			kept.Bindings = append(kept.Bindings, proto.Clone(b).(*iampb.Binding))
		}
	}
	kept.Etag = make([]byte, 8)
	rand.Read(kept.Etag)
	if kept.Version == 0 {
		kept.Version = 1
	}
	if err := protokv.Save(s.kv, s.bucket, map[string]*iampb.Policy{resource: kept}); err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	s.policies[resource] = kept
	return proto.Clone(kept).(*iampb.Policy), nil
}

// Delete forgets resource's policy, as its resource is deleted.
func (s *Store) Delete(resource string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := protokv.Save(s.kv, s.bucket, map[string]*iampb.Policy{resource: nil}); err != nil {
		return status.Errorf(codes.Internal, "%v", err)
	}
	delete(s.policies, resource)
	return nil
}
