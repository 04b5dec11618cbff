package ecr

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// Layout in bbolt: bucket "ecr" holds "repos" (region/name → repo),
// "manifests" (repository NUL reference → manifest, replayed into the
// registry at start) and "meta" (the key that signs registry tokens).
var (
	bucketRoot      = []byte("ecr")
	bucketRepos     = []byte("repos")
	bucketManifests = []byte("manifests")
	bucketMeta      = []byte("meta")
	keyTokenKey     = []byte("tokenKey")
)

type repo struct {
	Region     string    `json:"region"`
	Name       string    `json:"name"`
	Created    time.Time `json:"created"`
	Mutability string    `json:"mutability"`
	ScanOnPush bool      `json:"scanOnPush,omitempty"`
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

func manifestKey(repo, ref string) []byte { return []byte(repo + "\x00" + ref) }

type store struct {
	db        *bbolt.DB
	repos     map[string]*repo
	manifests map[string]map[string]*manifest // repository → ref → manifest
	seq       uint64
	tokenKey  []byte
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{db: db, repos: map[string]*repo{}, manifests: map[string]map[string]*manifest{}}
	if db == nil {
		s.tokenKey = make([]byte, 32)
		rand.Read(s.tokenKey)
		return s, nil
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketRoot)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketRepos, bucketManifests, bucketMeta} {
			if _, err := root.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := root.Bucket(bucketMeta)
		if k := meta.Get(keyTokenKey); k != nil {
			s.tokenKey = bytes.Clone(k)
		} else {
			s.tokenKey = make([]byte, 32)
			rand.Read(s.tokenKey)
			if err := meta.Put(keyTokenKey, s.tokenKey); err != nil {
				return err
			}
		}
		if err := root.Bucket(bucketRepos).ForEach(func(_, v []byte) error {
			r := new(repo)
			if err := json.Unmarshal(v, r); err != nil {
				return err
			}
			s.repos[repoKey(r.Region, r.Name)] = r
			return nil
		}); err != nil {
			return err
		}
		return root.Bucket(bucketManifests).ForEach(func(_, v []byte) error {
			m := new(manifest)
			if err := json.Unmarshal(v, m); err != nil {
				return err
			}
			s.index(m)
			s.seq = max(s.seq, m.Seq)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("ecr: load state: %w", err)
	}
	return s, nil
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

func (s *store) update(f func(root *bbolt.Bucket) error) error {
	if s.db == nil {
		return nil
	}
	return s.db.Update(func(tx *bbolt.Tx) error { return f(tx.Bucket(bucketRoot)) })
}

func (s *store) putRepo(r *repo) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := s.update(func(root *bbolt.Bucket) error {
		return root.Bucket(bucketRepos).Put([]byte(repoKey(r.Region, r.Name)), b)
	}); err != nil {
		return err
	}
	s.repos[repoKey(r.Region, r.Name)] = r
	return nil
}

func (s *store) dropRepo(r *repo) error {
	if err := s.update(func(root *bbolt.Bucket) error {
		return root.Bucket(bucketRepos).Delete([]byte(repoKey(r.Region, r.Name)))
	}); err != nil {
		return err
	}
	delete(s.repos, repoKey(r.Region, r.Name))
	return nil
}

func (s *store) putManifest(m *manifest) error {
	s.seq++
	m.Seq = s.seq
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := s.update(func(root *bbolt.Bucket) error {
		return root.Bucket(bucketManifests).Put(manifestKey(m.Repo, m.Ref), b)
	}); err != nil {
		return err
	}
	s.index(m)
	return nil
}

func (s *store) dropManifest(repo, ref string) error {
	if err := s.update(func(root *bbolt.Bucket) error {
		return root.Bucket(bucketManifests).Delete(manifestKey(repo, ref))
	}); err != nil {
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
