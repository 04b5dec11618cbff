// Package bolt is the local-mode state.Store: one bbolt file on disk.
//
// Records live in one bucket, encoded as version, expiry and value. A
// second bucket indexes expiring keys by time so that writers can sweep
// expired records cheaply; readers never write, they just skip them.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/functions/state"
)

var (
	recordsBucket = []byte("records")
	expiryBucket  = []byte("expiry")
)

// sweepBatch bounds how many expired records one write removes, so a
// write never pays for a large backlog at once.
const sweepBatch = 64

// lockTimeout: another process holding the file gets a clear error
// instead of a hang.
const lockTimeout = 5 * time.Second

// Store is a state.Store on a bbolt file. It is safe for concurrent use:
// concurrent writes commit together (see committer) and readers run
// alongside them.
type Store struct {
	db     *bbolt.DB
	writes committer
	now    func() time.Time
}

var _ state.Store = (*Store)(nil)

// Open opens (creating if needed) the store file at path.
func Open(path string) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout})
	if err != nil {
		if errors.Is(err, bbolt.ErrTimeout) {
			return nil, fmt.Errorf("state/bolt: %s is locked by another process: %w", path, err)
		}
		return nil, fmt.Errorf("state/bolt: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{recordsBucket, expiryBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state/bolt: init %s: %w", path, err)
	}
	return &Store{db: db, writes: committer{db: db}, now: time.Now}, nil
}

// Close releases the file.
func (s *Store) Close() error { return s.db.Close() }

// Get returns the live record under key.
func (s *Store) Get(ctx context.Context, key string) (state.Record, error) {
	if err := ctx.Err(); err != nil {
		return state.Record{}, err
	}
	if err := state.CheckKey(key); err != nil {
		return state.Record{}, err
	}
	var rec state.Record
	err := s.db.View(func(tx *bbolt.Tx) error {
		raw := tx.Bucket(recordsBucket).Get([]byte(key))
		r, ok := decode(key, raw)
		if !ok || r.expired(s.now()) {
			return fmt.Errorf("%w: %q", state.ErrNotFound, key)
		}
		rec = r.Record
		return nil
	})
	return rec, err
}

// Put writes value if the live version equals expect.
func (s *Store) Put(ctx context.Context, key string, value []byte, expect int64, ttl time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := state.Check(key, value); err != nil {
		return 0, err
	}
	if expect < 0 || ttl < 0 {
		return 0, fmt.Errorf("%w: negative expect (%d) or ttl (%s)", state.ErrInvalid, expect, ttl)
	}
	var version int64
	err := s.writes.update(func(tx *bbolt.Tx) error {
		now := s.now()
		recs, exp := tx.Bucket(recordsBucket), tx.Bucket(expiryBucket)
		old, ok := decode(key, recs.Get([]byte(key)))
		live := ok && !old.expired(now)
		current := int64(0)
		if live {
			current = old.Version
		}
		if current != expect {
			return fmt.Errorf("%w: %q is at version %d, expected %d", state.ErrConflict, key, current, expect)
		}
		if ok && !old.Expires.IsZero() {
			if err := exp.Delete(expiryKey(old.Expires, key)); err != nil {
				return err
			}
		}
		next := stored{Record: state.Record{Key: key, Value: value, Version: current + 1}}
		if ttl > 0 {
			next.Expires = now.Add(ttl)
			if err := exp.Put(expiryKey(next.Expires, key), nil); err != nil {
				return err
			}
		}
		if err := recs.Put([]byte(key), next.encode()); err != nil {
			return err
		}
		version = next.Version
		return sweep(tx, now)
	})
	return version, err
}

// Delete removes the live record under key if its version equals expect.
func (s *Store) Delete(ctx context.Context, key string, expect int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := state.CheckKey(key); err != nil {
		return err
	}
	return s.writes.update(func(tx *bbolt.Tx) error {
		now := s.now()
		old, ok := decode(key, tx.Bucket(recordsBucket).Get([]byte(key)))
		if !ok || old.expired(now) {
			// Sweep even when reporting absence: the expired record
			// may be the very one this call found.
			if err := sweep(tx, now); err != nil {
				return err
			}
			return fmt.Errorf("%w: %q", state.ErrNotFound, key)
		}
		if old.Version != expect {
			return fmt.Errorf("%w: %q is at version %d, expected %d", state.ErrConflict, key, old.Version, expect)
		}
		if err := remove(tx, old); err != nil {
			return err
		}
		return sweep(tx, now)
	})
}

// List returns live records under prefix after the key `after`.
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]state.Record, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if limit < 0 {
		return nil, "", fmt.Errorf("%w: negative limit %d", state.ErrInvalid, limit)
	}
	var (
		out  []state.Record
		next string
	)
	err := s.db.View(func(tx *bbolt.Tx) error {
		now := s.now()
		c := tx.Bucket(recordsBucket).Cursor()
		p := []byte(prefix)
		start := p
		if after > prefix {
			start = []byte(after)
		}
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if after != "" && string(k) <= after {
				continue
			}
			r, ok := decode(string(k), v)
			if !ok || r.expired(now) {
				continue
			}
			if limit > 0 && len(out) == limit {
				// One more live record exists: tell the caller where to resume.
				next = out[len(out)-1].Key
				return nil
			}
			out = append(out, r.Record)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// sweep removes up to sweepBatch records whose expiry has passed.
func sweep(tx *bbolt.Tx, now time.Time) error {
	recs := tx.Bucket(recordsBucket)
	c := tx.Bucket(expiryBucket).Cursor()
	var doomed []stored
	for k, _ := c.First(); k != nil && len(doomed) < sweepBatch; k, _ = c.Next() {
		at, key := splitExpiryKey(k)
		if !at.Before(now) {
			break
		}
		r, ok := decode(key, recs.Get([]byte(key)))
		if !ok || !r.Expires.Equal(at) {
			// A stale index entry; drop it alone.
			r = stored{Record: state.Record{Key: key, Expires: at}}
			r.indexOnly = true
		}
		doomed = append(doomed, r)
	}
	for _, r := range doomed {
		if err := remove(tx, r); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes a record and its expiry index entry.
func remove(tx *bbolt.Tx, r stored) error {
	if !r.Expires.IsZero() {
		if err := tx.Bucket(expiryBucket).Delete(expiryKey(r.Expires, r.Key)); err != nil {
			return err
		}
	}
	if r.indexOnly {
		return nil
	}
	return tx.Bucket(recordsBucket).Delete([]byte(r.Key))
}

// stored is a record as kept on disk.
type stored struct {
	state.Record
	indexOnly bool
}

func (r stored) expired(now time.Time) bool {
	return !r.Expires.IsZero() && !now.Before(r.Expires)
}

// Layout: version (8 bytes), expiry in Unix nanoseconds or 0 (8 bytes), value.
const headerLen = 16

func (r stored) encode() []byte {
	b := make([]byte, headerLen+len(r.Value))
	binary.BigEndian.PutUint64(b[0:], uint64(r.Version))
	if !r.Expires.IsZero() {
		binary.BigEndian.PutUint64(b[8:], uint64(r.Expires.UnixNano()))
	}
	copy(b[headerLen:], r.Value)
	return b
}

// decode copies out of raw: bbolt's memory is only valid inside the
// transaction.
func decode(key string, raw []byte) (stored, bool) {
	if len(raw) < headerLen {
		return stored{}, false
	}
	r := stored{Record: state.Record{
		Key:     key,
		Version: int64(binary.BigEndian.Uint64(raw[0:])),
		Value:   bytes.Clone(raw[headerLen:]),
	}}
	if r.Value == nil {
		r.Value = []byte{}
	}
	if ns := int64(binary.BigEndian.Uint64(raw[8:])); ns != 0 {
		r.Expires = time.Unix(0, ns)
	}
	return r, true
}

// expiryKey orders index entries by time, then key.
func expiryKey(at time.Time, key string) []byte {
	b := make([]byte, 8+len(key))
	binary.BigEndian.PutUint64(b, uint64(at.UnixNano()))
	copy(b[8:], key)
	return b
}

func splitExpiryKey(k []byte) (time.Time, string) {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k))), string(k[8:])
}
