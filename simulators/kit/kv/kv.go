// Package kv is a simulated service's write-through persistence: each
// service owns one top-level bucket of the simulator's bbolt file, holding
// named sub-buckets of JSON records. A Store without a database keeps
// nothing, so the same service code runs in memory only.
//
// Every cloud simulator uses it the same way: the AWS services keep their
// tables, groups and repositories here, and a GCP simulator keeps its
// Firestore documents, Cloud Run jobs and Artifact Registry repositories
// in buckets of its own in its state file.
package kv

import (
	"encoding/json"

	"go.etcd.io/bbolt"
)

// Store is one service's root bucket. A nil *bbolt.DB makes every write a
// no-op and every read empty: the service's in-memory maps are then the
// only copy of its state.
type Store struct {
	db   *bbolt.DB
	root []byte
}

// Open creates, when missing, the bucket root and its sub-buckets in db
// and returns the Store; db may be nil.
func Open(db *bbolt.DB, root string, buckets ...string) (*Store, error) {
	s := &Store{db: db, root: []byte(root)}
	if db == nil {
		return s, nil
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		r, err := tx.CreateBucketIfNotExists(s.root)
		if err != nil {
			return err
		}
		for _, name := range buckets {
			if _, err := r.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Update runs f on the root bucket in one read-write transaction; without
// a database it does nothing.
func (s *Store) Update(f func(root *bbolt.Bucket) error) error {
	if s.db == nil {
		return nil
	}
	return s.db.Update(func(tx *bbolt.Tx) error { return f(tx.Bucket(s.root)) })
}

// View runs f on the root bucket in one read-only transaction; without a
// database it does nothing.
func (s *Store) View(f func(root *bbolt.Bucket) error) error {
	if s.db == nil {
		return nil
	}
	return s.db.View(func(tx *bbolt.Tx) error { return f(tx.Bucket(s.root)) })
}

// Put stores v as JSON under key in the sub-bucket.
func (s *Store) Put(bucket, key string, v any) error {
	if s.db == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Update(func(root *bbolt.Bucket) error {
		return root.Bucket([]byte(bucket)).Put([]byte(key), b)
	})
}

// Delete removes key from the sub-bucket; a missing key is not an error.
func (s *Store) Delete(bucket, key string) error {
	return s.Update(func(root *bbolt.Bucket) error {
		return root.Bucket([]byte(bucket)).Delete([]byte(key))
	})
}

// Load decodes every record of the sub-bucket, in key order, into a new T
// and hands it to fn with its key.
func Load[T any](s *Store, bucket string, fn func(key string, v *T) error) error {
	return s.View(func(root *bbolt.Bucket) error {
		return ForEach(root.Bucket([]byte(bucket)), fn)
	})
}

// ForEach is bbolt's Bucket.ForEach with each value decoded from JSON
// into a new T; nested buckets (nil values) are skipped.
func ForEach[T any](b *bbolt.Bucket, fn func(key string, v *T) error) error {
	return b.ForEach(func(k, data []byte) error {
		if data == nil {
			return nil
		}
		v := new(T)
		if err := json.Unmarshal(data, v); err != nil {
			return err
		}
		return fn(string(k), v)
	})
}
