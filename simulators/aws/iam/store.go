package iam

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Layout in bbolt: bucket "iam" holds "roles" (lower-cased name → role)
// and "policies" (ARN → policy). Role names are unique regardless of case,
// as in IAM, hence the lower-cased key.
var (
	bucketRoot     = []byte("iam")
	bucketRoles    = []byte("roles")
	bucketPolicies = []byte("policies")
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
	db       *bbolt.DB
	roles    map[string]*role
	policies map[string]*policy
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{db: db, roles: map[string]*role{}, policies: map[string]*policy{}}
	if db == nil {
		return s, nil
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketRoot)
		if err != nil {
			return err
		}
		roles, err := root.CreateBucketIfNotExists(bucketRoles)
		if err != nil {
			return err
		}
		policies, err := root.CreateBucketIfNotExists(bucketPolicies)
		if err != nil {
			return err
		}
		if err := roles.ForEach(func(k, v []byte) error {
			r := new(role)
			s.roles[string(k)] = r
			return json.Unmarshal(v, r)
		}); err != nil {
			return err
		}
		return policies.ForEach(func(k, v []byte) error {
			p := new(policy)
			s.policies[string(k)] = p
			return json.Unmarshal(v, p)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("iam: load state: %w", err)
	}
	return s, nil
}

func roleKey(name string) string { return strings.ToLower(name) }

func (s *store) role(name string) *role { return s.roles[roleKey(name)] }

// put writes a record (v nil deletes it) to bbolt, then to memory.
func (s *store) put(bucket []byte, key string, v any) error {
	if s.db != nil {
		err := s.db.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket(bucketRoot).Bucket(bucket)
			if v == nil {
				return b.Delete([]byte(key))
			}
			data, err := json.Marshal(v)
			if err != nil {
				return err
			}
			return b.Put([]byte(key), data)
		})
		if err != nil {
			return err
		}
	}
	switch bucket := string(bucket); {
	case bucket == string(bucketRoles) && v == nil:
		delete(s.roles, key)
	case bucket == string(bucketRoles):
		s.roles[key] = v.(*role)
	case v == nil:
		delete(s.policies, key)
	default:
		s.policies[key] = v.(*policy)
	}
	return nil
}

func (s *store) putRole(r *role) error     { return s.put(bucketRoles, roleKey(r.Name), r) }
func (s *store) dropRole(r *role) error    { return s.put(bucketRoles, roleKey(r.Name), nil) }
func (s *store) putPolicy(p *policy) error { return s.put(bucketPolicies, p.Arn, p) }
func (s *store) dropPolicy(p *policy) error {
	return s.put(bucketPolicies, p.Arn, nil)
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
