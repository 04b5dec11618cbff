package ecs

import (
	"fmt"
	"sort"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "ecs" holds "clusters" (cluster ARN →
// cluster), "taskdefs" (task definition ARN → definition) and "tags"
// (resource ARN → tags).
const (
	bucketRoot     = "ecs"
	bucketClusters = "clusters"
	bucketTaskDefs = "taskdefs"
	bucketTags     = "tags"
)

type store struct {
	kv       *kv.Store
	clusters map[string]*cluster   // ARN → cluster
	taskDefs map[string]*taskDef   // ARN → definition
	families map[string][]*taskDef // region/family → revisions in order
	tags     map[string][]tag      // ARN → tags
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{clusters: map[string]*cluster{}, taskDefs: map[string]*taskDef{}, families: map[string][]*taskDef{}, tags: map[string][]tag{}}
	var err error
	if s.kv, err = kv.Open(db, bucketRoot, bucketClusters, bucketTaskDefs, bucketTags); err != nil {
		return nil, fmt.Errorf("ecs: load state: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("ecs: load state: %w", err)
	}
	return s, nil
}

func (s *store) load() error {
	if err := kv.Load(s.kv, bucketClusters, func(_ string, c *cluster) error {
		s.clusters[c.ARN] = c
		return nil
	}); err != nil {
		return err
	}
	var defs []*taskDef
	if err := kv.Load(s.kv, bucketTaskDefs, func(_ string, sd *storedDef) error {
		sd.taskDef.Region = sd.Region
		defs = append(defs, &sd.taskDef)
		return nil
	}); err != nil {
		return err
	}
	s.indexDefs(defs)
	return kv.Load(s.kv, bucketTags, func(arn string, t *[]tag) error {
		s.tags[arn] = *t
		return nil
	})
}

// indexDefs files loaded definitions by family in revision order (bbolt
// returns them by ARN, where "app:10" sorts before "app:9").
func (s *store) indexDefs(defs []*taskDef) {
	byFamily := map[string][]*taskDef{}
	for _, d := range defs {
		s.taskDefs[d.ARN] = d
		k := d.familyKey()
		byFamily[k] = append(byFamily[k], d)
	}
	for k, ds := range byFamily {
		sort.Slice(ds, func(i, j int) bool { return ds[i].Revision < ds[j].Revision })
		s.families[k] = ds
	}
}

func (s *store) putCluster(c *cluster) error {
	if err := s.kv.Put(bucketClusters, c.ARN, c); err != nil {
		return err
	}
	s.clusters[c.ARN] = c
	return nil
}

func (s *store) dropCluster(c *cluster) error {
	if err := s.kv.Delete(bucketClusters, c.ARN); err != nil {
		return err
	}
	delete(s.clusters, c.ARN)
	return nil
}

// putTaskDef stores a new revision or an update (deregistration) of one.
func (s *store) putTaskDef(d *taskDef) error {
	if err := s.kv.Put(bucketTaskDefs, d.ARN, storedDef{*d, d.Region}); err != nil {
		return err
	}
	if s.taskDefs[d.ARN] == nil {
		s.families[d.familyKey()] = append(s.families[d.familyKey()], d)
	}
	s.taskDefs[d.ARN] = d
	return nil
}

func (s *store) putTags(arn string, t []tag) error {
	if len(t) == 0 {
		if err := s.kv.Delete(bucketTags, arn); err != nil {
			return err
		}
		delete(s.tags, arn)
		return nil
	}
	if err := s.kv.Put(bucketTags, arn, t); err != nil {
		return err
	}
	s.tags[arn] = t
	return nil
}
