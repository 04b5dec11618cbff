package firestore

import (
	"crypto/rand"
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// txn is an open transaction. Read-write transactions are optimistic:
// each read records the version it saw (documents by update time, queries
// by the names and update times they returned) and Commit aborts when any
// of them changed since. The emulator locks what a transaction reads
// instead; either way, of two transactions that read a document and
// write it, one commits and the other gets ABORTED, which the SDKs retry.
type txn struct {
	database string
	readOnly bool
	reads    map[string]*pb.Document // name → the document read (nil: missing)
	queries  []readQuery
	// started and used bound its life: Firestore ends a transaction idle
	// for txnIdle or open for txnLifetime.
	started, used time.Time
}

const (
	txnIdle     = 60 * time.Second
	txnLifetime = 270 * time.Second
)

func (t *txn) expired(now time.Time) bool {
	return now.Sub(t.used) > txnIdle || now.Sub(t.started) > txnLifetime
}

type readQuery struct {
	q      *query
	result []*pb.Document
}

const txnIDLen = 16

// errContention is the status Firestore gives a transaction that lost a
// race.
func errContention() error {
	return errorf(codes.Aborted, "Aborted due to cross-transaction contention. This occurs when multiple transactions attempt to access the same data, requiring Firestore to abort at least one in order to enforce serializability.")
}

// begin opens a transaction, and ends those that expired, so abandoned
// ones do not pile up.
func (s *state) begin(database string, opts *pb.TransactionOptions) []byte {
	now := s.now()
	for id, t := range s.txns {
		if t.expired(now) {
			delete(s.txns, id)
		}
	}
	id := make([]byte, txnIDLen)
	rand.Read(id)
	s.txns[string(id)] = &txn{database: database, readOnly: opts.GetReadOnly() != nil, reads: map[string]*pb.Document{}, started: now, used: now}
	return id
}

// lookup finds an open transaction of database. A malformed id is an
// "Invalid transaction."; one that is well formed but not open (committed,
// rolled back, never issued) is "invalid or closed", as the emulator says.
func (s *state) lookup(database string, id []byte) (*txn, error) {
	if len(id) != txnIDLen {
		return nil, errorf(codes.InvalidArgument, "Invalid transaction.")
	}
	t, ok := s.txns[string(id)]
	now := s.now()
	if ok && t.expired(now) {
		delete(s.txns, string(id))
		ok = false
	}
	if !ok || t.database != database {
		return nil, errorf(codes.InvalidArgument, "Transaction is invalid or closed.")
	}
	t.used = now
	return t, nil
}

// readTxn resolves a read's consistency selector: an existing transaction,
// a new one (whose id the reply carries), or none.
func (s *state) readTxn(database string, id []byte, opts *pb.TransactionOptions) (t *txn, newID []byte, err error) {
	switch {
	case opts != nil:
		newID = s.begin(database, opts)
		return s.txns[string(newID)], newID, nil
	case id != nil:
		t, err = s.lookup(database, id)
		return t, nil, err
	}
	return nil, nil, nil
}

// reader resolves a read's consistency: the transaction it reads in (nil:
// none; a new one's id in newID) and the read time it asks for.
func (s *state) reader(database string, id []byte, opts *pb.TransactionOptions, readTime *timestamppb.Timestamp) (t *txn, newID []byte, err error) {
	if t, newID, err = s.readTxn(database, id, opts); err != nil {
		return nil, nil, err
	}
	return t, newID, s.checkReadTime(readTime)
}

// noteRead records that t read name as d (nil: missing).
func (t *txn) noteRead(name string, d *pb.Document) {
	if t == nil || t.readOnly {
		return
	}
	if _, seen := t.reads[name]; !seen {
		t.reads[name] = d
	}
}

func (t *txn) noteQuery(q *query, result []*pb.Document) {
	if t == nil || t.readOnly {
		return
	}
	t.queries = append(t.queries, readQuery{q, result})
}

// valid reports whether everything t read is still as it was.
func (t *txn) valid(s *state) bool {
	for name, seen := range t.reads {
		if !sameVersion(seen, s.docs[name]) {
			return false
		}
	}
	for _, rq := range t.queries {
		now, err := rq.q.run(s.docs)
		if err != nil || len(now) != len(rq.result) {
			return false
		}
		for i := range now {
			if now[i].Name != rq.result[i].Name || !proto.Equal(now[i].UpdateTime, rq.result[i].UpdateTime) {
				return false
			}
		}
	}
	return true
}

func sameVersion(a, b *pb.Document) bool {
	if a == nil || b == nil {
		return a == b
	}
	return proto.Equal(a.UpdateTime, b.UpdateTime)
}

// checkReadTime refuses reads at a past time: the simulator keeps only the
// latest version of each document.
func (s *state) checkReadTime(t *timestamppb.Timestamp) error {
	if t == nil {
		return nil
	}
	if t.AsTime().Before(s.last) {
		return errorf(codes.FailedPrecondition, "read_time %s is before the latest commit; the simulator keeps no older document versions", t.AsTime().Format(time.RFC3339Nano))
	}
	return nil
}
