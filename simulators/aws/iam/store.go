package iam

import (
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "iam" holds "roles" (lower-cased name → role)
// and "policies" (ARN → policy). Role names are unique regardless of case,
// as in IAM, hence the lower-cased key.
const (
	bucketRoot     = "iam"
	bucketRoles    = "roles"
	bucketPolicies = "policies"
)

type tag struct {
	Key   string `json:"key" xml:"Key"`
	Value string `json:"value" xml:"Value"`
}

type role struct {
	Name             string            `json:"name"`
	Path             string            `json:"path"`
	ID               string            `json:"id"`
	Description      string            `json:"description,omitempty"`
	AssumeRolePolicy string            `json:"assumeRolePolicy"`
	MaxSession       int               `json:"maxSession"`
	Created          time.Time         `json:"created"`
	Tags             []tag             `json:"tags,omitempty"`
	Attached         []string          `json:"attached,omitempty"` // managed policy ARNs, in attach order
	Inline           map[string]string `json:"inline,omitempty"`   // policy name → document
}

type policy struct {
	Name        string    `json:"name"`
	Path        string    `json:"path"`
	ID          string    `json:"id"`
	Arn         string    `json:"arn"`
	Description string    `json:"description,omitempty"`
	Document    string    `json:"document"`
	Created     time.Time `json:"created"`
	Tags        []tag     `json:"tags,omitempty"`
}

type store struct {
	kv       *kv.Store
	roles    map[string]*role
	policies map[string]*policy
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{roles: map[string]*role{}, policies: map[string]*policy{}}
	var err error
	if s.kv, err = kv.Open(db, bucketRoot, bucketRoles, bucketPolicies); err != nil {
		return nil, fmt.Errorf("iam: load state: %w", err)
	}
	err = kv.Load(s.kv, bucketRoles, func(k string, r *role) error {
		s.roles[k] = r
		return nil
	})
	if err == nil {
		err = kv.Load(s.kv, bucketPolicies, func(k string, p *policy) error {
			s.policies[k] = p
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("iam: load state: %w", err)
	}
	return s, nil
}

func roleKey(name string) string { return strings.ToLower(name) }

func (s *store) role(name string) *role { return s.roles[roleKey(name)] }

func (s *store) putRole(r *role) error {
	if err := s.kv.Put(bucketRoles, roleKey(r.Name), r); err != nil {
		return err
	}
	s.roles[roleKey(r.Name)] = r
	return nil
}

func (s *store) dropRole(r *role) error {
	if err := s.kv.Delete(bucketRoles, roleKey(r.Name)); err != nil {
		return err
	}
	delete(s.roles, roleKey(r.Name))
	return nil
}

func (s *store) putPolicy(p *policy) error {
	if err := s.kv.Put(bucketPolicies, p.Arn, p); err != nil {
		return err
	}
	s.policies[p.Arn] = p
	return nil
}

func (s *store) dropPolicy(p *policy) error {
	if err := s.kv.Delete(bucketPolicies, p.Arn); err != nil {
		return err
	}
	delete(s.policies, p.Arn)
	return nil
}

// attachments counts the roles a managed policy is attached to.
func (s *store) attachments(arn string) int {
	n := 0
	for _, r := range s.roles {
		for _, a := range r.Attached {
			if a == arn {
				n++
			}
		}
	}
	return n
}
