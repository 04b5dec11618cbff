package firestore

import (
	"encoding/json"
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"go.etcd.io/bbolt"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "firestore" holds bucket "documents" (full
// document name → the Document as protojson). Memory mirrors it; a commit
// writes bbolt first, in one transaction, so a failed write changes
// nothing.
const (
	bucketRoot = "firestore"
	bucketDocs = "documents"
)

// state is everything the service holds. Stored documents are never
// changed in place: a write stores a new Document, so a reply may send a
// stored one after the lock is released.
type state struct {
	store *kv.Store
	docs  map[string]*pb.Document
	txns  map[string]*txn
	// last is the latest commit time: commit times strictly increase.
	last time.Time
	// now is the service's clock.
	now func() time.Time
}

func openState(db *bbolt.DB) (*state, error) {
	store, err := kv.Open(db, bucketRoot, bucketDocs)
	if err != nil {
		return nil, err
	}
	s := &state{store: store, docs: map[string]*pb.Document{}, txns: map[string]*txn{}}
	err = kv.Load(store, bucketDocs, func(name string, raw *json.RawMessage) error {
		d := &pb.Document{}
		if err := protojson.Unmarshal(*raw, d); err != nil {
			return err
		}
		s.docs[name] = d
		if t := d.GetUpdateTime().AsTime(); t.After(s.last) {
			s.last = t
		}
		return nil
	})
	return s, err
}

// save persists changed documents (nil: deleted) in one transaction.
func (s *state) save(changed map[string]*pb.Document) error {
	return s.store.Update(func(root *bbolt.Bucket) error {
		b := root.Bucket([]byte(bucketDocs))
		for name, d := range changed {
			if d == nil {
				if err := b.Delete([]byte(name)); err != nil {
					return err
				}
				continue
			}
			raw, err := protojson.Marshal(d)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(name), raw); err != nil {
				return err
			}
		}
		return nil
	})
}

// commitTime is the next commit's time: now at Firestore's microsecond
// precision, after every earlier commit.
func (s *state) commitTime(now time.Time) time.Time {
	t := now.UTC().Truncate(time.Microsecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Microsecond)
	}
	s.last = t
	return t
}
