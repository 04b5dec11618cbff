package ecr

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "ecr" holds "repos" (region/name → repo),
// "manifests" (the registry's, kept by kit/ociregistry) and "meta" (the key that signs registry tokens).
const (
	bucketRoot      = "ecr"
	bucketRepos     = "repos"
	bucketManifests = "manifests"
	bucketMeta      = "meta"
)

var keyTokenKey = []byte("tokenKey")

type repo struct {
	Region     string    `json:"region"`
	Name       string    `json:"name"`
	Created    time.Time `json:"created"`
	Mutability string    `json:"mutability"`
	ScanOnPush bool      `json:"scanOnPush,omitempty"`
	Tags       []Tag     `json:"tags,omitempty"`
}

func repoKey(region, name string) string { return region + "/" + name }

type store struct {
	kv       *kv.Store
	repos    map[string]*repo
	tokenKey []byte
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{repos: map[string]*repo{}}
	var err error
	if s.kv, err = kv.Open(db, bucketRoot, bucketRepos, bucketManifests, bucketMeta); err != nil {
		return nil, fmt.Errorf("ecr: load state: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("ecr: load state: %w", err)
	}
	return s, nil
}

// load reads the state and the token key, making the key (and keeping
// it, when there is a database) the first time.
func (s *store) load() error {
	if err := s.kv.Update(func(root *bbolt.Bucket) error {
		meta := root.Bucket([]byte(bucketMeta))
		if k := meta.Get(keyTokenKey); k != nil {
			s.tokenKey = bytes.Clone(k)
			return nil
		}
		s.tokenKey = newTokenKey()
		return meta.Put(keyTokenKey, s.tokenKey)
	}); err != nil {
		return err
	}
	if s.tokenKey == nil {
		s.tokenKey = newTokenKey()
	}
	return kv.Load(s.kv, bucketRepos, func(_ string, r *repo) error {
		s.repos[repoKey(r.Region, r.Name)] = r
		return nil
	})
}

func newTokenKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func (s *store) putRepo(r *repo) error {
	if err := s.kv.Put(bucketRepos, repoKey(r.Region, r.Name), r); err != nil {
		return err
	}
	s.repos[repoKey(r.Region, r.Name)] = r
	return nil
}

func (s *store) dropRepo(r *repo) error {
	if err := s.kv.Delete(bucketRepos, repoKey(r.Region, r.Name)); err != nil {
		return err
	}
	delete(s.repos, repoKey(r.Region, r.Name))
	return nil
}

// named returns the repositories of that name, one per region that has it.
func (s *store) named(name string) []*repo {
	var out []*repo
	for _, r := range s.repos {
		if r.Name == name {
			out = append(out, r)
		}
	}
	return out
}
