package ecs

import (
	"encoding/json"
	"fmt"
	"sort"

	"go.etcd.io/bbolt"
)

// Layout in bbolt: bucket "ecs" holds "clusters" (cluster ARN →
// cluster), "taskdefs" (task definition ARN → definition) and "tags"
// (resource ARN → tags).
var (
	bucketRoot     = []byte("ecs")
	bucketClusters = []byte("clusters")
	bucketTaskDefs = []byte("taskdefs")
	bucketTags     = []byte("tags")
)

type store struct {
	db       *bbolt.DB
	clusters map[string]*cluster   // ARN → cluster
	taskDefs map[string]*taskDef   // ARN → definition
	families map[string][]*taskDef // region/family → revisions in order
	tags     map[string][]tag      // ARN → tags
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{db: db, clusters: map[string]*cluster{}, taskDefs: map[string]*taskDef{}, families: map[string][]*taskDef{}, tags: map[string][]tag{}}
	if db == nil {
		return s, nil
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketRoot)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketClusters, bucketTaskDefs, bucketTags} {
			if _, err := root.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := root.Bucket(bucketClusters).ForEach(func(_, v []byte) error {
			c := new(cluster)
			if err := json.Unmarshal(v, c); err != nil {
				return err
			}
			s.clusters[c.ARN] = c
			return nil
		}); err != nil {
			return err
		}
		var defs []*taskDef
		if err := root.Bucket(bucketTaskDefs).ForEach(func(_, v []byte) error {
			sd := new(storedDef)
			if err := json.Unmarshal(v, sd); err != nil {
				return err
			}
			sd.taskDef.Region = sd.Region
			defs = append(defs, &sd.taskDef)
			return nil
		}); err != nil {
			return err
		}
		s.indexDefs(defs)
		return root.Bucket(bucketTags).ForEach(func(k, v []byte) error {
			var t []tag
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			s.tags[string(k)] = t
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("ecs: load state: %w", err)
	}
	return s, nil
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

func (s *store) put(bucket []byte, key string, v any) error {
	if s.db == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRoot).Bucket(bucket).Put([]byte(key), b)
	})
}

func (s *store) drop(bucket []byte, key string) error {
	if s.db == nil {
		return nil
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRoot).Bucket(bucket).Delete([]byte(key))
	})
}

func (s *store) putCluster(c *cluster) error {
	if err := s.put(bucketClusters, c.ARN, c); err != nil {
		return err
	}
	s.clusters[c.ARN] = c
	return nil
}

func (s *store) dropCluster(c *cluster) error {
	if err := s.drop(bucketClusters, c.ARN); err != nil {
		return err
	}
	delete(s.clusters, c.ARN)
	return nil
}

// putTaskDef stores a new revision or an update (deregistration) of one.
func (s *store) putTaskDef(d *taskDef) error {
	if err := s.put(bucketTaskDefs, d.ARN, storedDef{*d, d.Region}); err != nil {
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
		if err := s.drop(bucketTags, arn); err != nil {
			return err
		}
		delete(s.tags, arn)
		return nil
	}
	if err := s.put(bucketTags, arn, t); err != nil {
		return err
	}
	s.tags[arn] = t
	return nil
}
