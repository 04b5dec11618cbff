package firestore

import (
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
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
	err = protokv.Load(store, bucketDocs, func(name string, d *pb.Document) error {
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
	return protokv.Save(s.store, bucketDocs, changed)
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
