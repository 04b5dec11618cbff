package ecr

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "ecr" holds "repos" (region/name → repo),
// "manifests" (repository NUL reference → manifest, replayed into the
// registry at start) and "meta" (the key that signs registry tokens).
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

// manifest is one manifest PUT the registry accepted: Ref is the tag or
// digest it was pushed by; Seq orders replay (an index after its children).
type manifest struct {
	Repo        string `json:"repo"`
	Ref         string `json:"ref"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
	Seq         uint64 `json:"seq"`
}

func manifestKey(repo, ref string) string { return repo + "\x00" + ref }

type store struct {
	kv        *kv.Store
	repos     map[string]*repo
	manifests map[string]map[string]*manifest // repository → ref → manifest
	seq       uint64
	tokenKey  []byte
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{repos: map[string]*repo{}, manifests: map[string]map[string]*manifest{}}
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
	if err := kv.Load(s.kv, bucketRepos, func(_ string, r *repo) error {
		s.repos[repoKey(r.Region, r.Name)] = r
		return nil
	}); err != nil {
		return err
	}
	return kv.Load(s.kv, bucketManifests, func(_ string, m *manifest) error {
		s.index(m)
		s.seq = max(s.seq, m.Seq)
		return nil
	})
}

func newTokenKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func (s *store) index(m *manifest) {
	if s.manifests[m.Repo] == nil {
		s.manifests[m.Repo] = map[string]*manifest{}
	}
	s.manifests[m.Repo][m.Ref] = m
}

// images returns a repository's manifests in push order.
func (s *store) images(name string) []*manifest {
	var out []*manifest
	for _, m := range s.manifests[name] {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// all returns every manifest in push order, for replay.
func (s *store) all() []*manifest {
	var out []*manifest
	for name := range s.manifests {
		out = append(out, s.images(name)...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
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

func (s *store) putManifest(m *manifest) error {
	s.seq++
	m.Seq = s.seq
	if err := s.kv.Put(bucketManifests, manifestKey(m.Repo, m.Ref), m); err != nil {
		return err
	}
	s.index(m)
	return nil
}

func (s *store) dropManifest(repo, ref string) error {
	if err := s.kv.Delete(bucketManifests, manifestKey(repo, ref)); err != nil {
		return err
	}
	delete(s.manifests[repo], ref)
	if len(s.manifests[repo]) == 0 {
		delete(s.manifests, repo)
	}
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
