// Package firestore implements state.Store on one Firestore collection.
//
// One document per record, in the collection the store is given (a
// backend's own, so stores of different backends see nothing of each
// other):
//
//	ID   the SHA-256 of the key, in hex: a store key may hold "/" and be
//	     1024 bytes, which a document ID may not, and a fixed-size ID
//	     spreads writes.
//	k    (string) the key; List queries it in key order (Firestore
//	     orders strings by their UTF-8 bytes, as Go compares them).
//	v    (bytes) the value.
//	ver  (integer) the version, 1 on create, +1 per write.
//	exp  (timestamp) the expiry; absent without TTL. It is the field a
//	     Firestore TTL policy names, so Firestore sweeps expired records
//	     (within a day or so); visibility and every condition use it
//	     too, since until the sweep the document is still there.
//
// Writes are conditional on the document as it was read: a create has
// the precondition "does not exist", any other write the document's
// update time, so a write in between makes it fail (optimistic
// concurrency without a transaction: one read, one commit). Reads are
// strongly consistent, as Firestore's always are.
package firestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	fsdk "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/functions/state"
)

// Field names.
const (
	fieldKey     = "k"
	fieldValue   = "v"
	fieldVersion = "ver"
	// FieldExpires is the field a TTL policy on the collection names.
	FieldExpires = "exp"
)

// Store is a state.Store on a Firestore collection.
type Store struct {
	col *fsdk.CollectionRef
	now func() time.Time
}

var _ state.Store = (*Store)(nil)

// New returns a store on the collection at path ("sockerless-cloudrun",
// or a subcollection such as "sockerless/cloudrun/records"). Firestore
// makes collections as documents are written: nothing needs creating.
func New(client *fsdk.Client, path string) (*Store, error) {
	col := client.Collection(path)
	if col == nil {
		return nil, fmt.Errorf("firestore: %q is not a collection path (an odd number of non-empty segments)", path)
	}
	return &Store{col: col, now: time.Now}, nil
}

// Close does nothing: the client belongs to the caller.
func (s *Store) Close() error { return nil }

func (s *Store) doc(key string) *fsdk.DocumentRef {
	sum := sha256.Sum256([]byte(key))
	return s.col.Doc(hex.EncodeToString(sum[:]))
}

// Get returns the live record under key.
func (s *Store) Get(ctx context.Context, key string) (state.Record, error) {
	if err := state.CheckKey(key); err != nil {
		return state.Record{}, err
	}
	r, _, err := s.read(ctx, key)
	if err != nil {
		return state.Record{}, err
	}
	if r.Version == 0 {
		return state.Record{}, fmt.Errorf("%w: %q", state.ErrNotFound, key)
	}
	return r, nil
}

// read returns the live record under key (Version 0 when there is none)
// and the document's update time (zero when there is no document, live
// or expired), which a write after it takes as its precondition.
func (s *Store) read(ctx context.Context, key string) (state.Record, time.Time, error) {
	snap, err := s.doc(key).Get(ctx)
	if status.Code(err) == codes.NotFound {
		return state.Record{}, time.Time{}, nil
	}
	if err != nil {
		return state.Record{}, time.Time{}, fmt.Errorf("firestore: get %q: %w", key, err)
	}
	r, live, err := decode(snap, s.now())
	if err != nil {
		return state.Record{}, time.Time{}, err
	}
	if r.Key != key {
		return state.Record{}, time.Time{}, fmt.Errorf("firestore: document %s holds key %q, not %q", snap.Ref.ID, r.Key, key)
	}
	if !live {
		r = state.Record{}
	}
	return r, snap.UpdateTime, nil
}

// Put writes the whole record (a write without TTL drops the old
// expiry) if the stored version is expect.
func (s *Store) Put(ctx context.Context, key string, value []byte, expect int64, ttl time.Duration) (int64, error) {
	if err := state.Check(key, value); err != nil {
		return 0, err
	}
	if expect < 0 || ttl < 0 {
		return 0, fmt.Errorf("%w: negative expect %d or ttl %v", state.ErrInvalid, expect, ttl)
	}
	conflict := func() (int64, error) {
		return 0, fmt.Errorf("%w: put %q expecting version %d", state.ErrConflict, key, expect)
	}
	var exp any = fsdk.Delete
	if ttl > 0 {
		exp = s.now().Add(ttl)
	}
	ref := s.doc(key)
	if expect == 0 {
		// Most creates find no document: one commit, no read.
		data := map[string]any{fieldKey: key, fieldValue: value, fieldVersion: int64(1)}
		if ttl > 0 {
			data[FieldExpires] = exp
		}
		_, err := ref.Create(ctx, data)
		if err == nil {
			return 1, nil
		}
		if status.Code(err) != codes.AlreadyExists {
			return 0, fmt.Errorf("firestore: put %q: %w", key, err)
		}
		// A document is there: an expired one counts as absent.
	}
	cur, updated, err := s.read(ctx, key)
	if err != nil {
		return 0, err
	}
	if cur.Version != expect || updated.IsZero() {
		// Also a document that vanished since the create failed.
		return conflict()
	}
	_, err = ref.Update(ctx, []fsdk.Update{
		{Path: fieldKey, Value: key},
		{Path: fieldValue, Value: value},
		{Path: fieldVersion, Value: expect + 1},
		{Path: FieldExpires, Value: exp},
	}, fsdk.LastUpdateTime(updated))
	if isConflict(err) {
		return conflict()
	}
	if err != nil {
		return 0, fmt.Errorf("firestore: put %q: %w", key, err)
	}
	return expect + 1, nil
}

// Delete removes the record if its version is expect.
func (s *Store) Delete(ctx context.Context, key string, expect int64) error {
	if err := state.CheckKey(key); err != nil {
		return err
	}
	cur, updated, err := s.read(ctx, key)
	switch {
	case err != nil:
		return err
	case cur.Version == 0:
		return fmt.Errorf("%w: %q", state.ErrNotFound, key)
	case cur.Version != expect:
		return fmt.Errorf("%w: delete %q expecting version %d", state.ErrConflict, key, expect)
	}
	_, err = s.doc(key).Delete(ctx, fsdk.LastUpdateTime(updated))
	if isConflict(err) {
		return fmt.Errorf("%w: delete %q expecting version %d: it changed since it was read", state.ErrConflict, key, expect)
	}
	if err != nil {
		return fmt.Errorf("firestore: delete %q: %w", key, err)
	}
	return nil
}

// isConflict: a precondition failed, the document changed (or went)
// between the read and the write.
func isConflict(err error) bool {
	switch status.Code(err) {
	case codes.FailedPrecondition, codes.NotFound, codes.AlreadyExists:
		return true
	}
	return false
}

// decode turns a document into a record and says whether it is live at
// now; a record that is not has only its key.
func decode(snap *fsdk.DocumentSnapshot, now time.Time) (state.Record, bool, error) {
	bad := func(field string, err error) (state.Record, bool, error) {
		return state.Record{}, false, fmt.Errorf("firestore: document %s: field %s: %w", snap.Ref.ID, field, err)
	}
	var r state.Record
	k, err := snap.DataAt(fieldKey)
	if r.Key, _ = k.(string); err != nil || r.Key == "" {
		return bad(fieldKey, errors.Join(err, errors.New("not a string")))
	}
	ver, err := snap.DataAt(fieldVersion)
	if r.Version, _ = ver.(int64); err != nil || r.Version < 1 {
		return bad(fieldVersion, errors.Join(err, fmt.Errorf("%v is not a version", ver)))
	}
	if exp, err := snap.DataAt(FieldExpires); err == nil {
		t, ok := exp.(time.Time)
		if !ok {
			return bad(FieldExpires, fmt.Errorf("%v is not a timestamp", exp))
		}
		r.Expires = t
		if !now.Before(t) {
			return state.Record{Key: r.Key}, false, nil
		}
	}
	r.Value = []byte{}
	if v, err := snap.DataAt(fieldValue); err == nil && v != nil {
		b, ok := v.([]byte)
		if !ok {
			return bad(fieldValue, fmt.Errorf("%T is not bytes", v))
		}
		// Copied, so no caller aliases a decoded response.
		r.Value = append(r.Value, b...)
	}
	return r, true, nil
}
