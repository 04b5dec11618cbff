// Package state is the control plane's only memory: a small key-value
// interface with optimistic concurrency. Every implementation (bbolt,
// DynamoDB, Firestore, Azure Tables) passes the suite in statetest.
package state

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound: no live record under the key.
var ErrNotFound = errors.New("state: not found")

// ErrConflict: the record's version is not the one the caller expected
// (it changed, appeared, or vanished). The caller re-reads and retries.
var ErrConflict = errors.New("state: version conflict")

// Record is one stored value. Version starts at 1 on create and grows by
// one on every successful write; 0 means "does not exist".
type Record struct {
	Key     string
	Value   []byte
	Version int64
	// Expires, when non-zero, is when the record stops being visible.
	Expires time.Time
}

// Store is implemented by each backend's key-value store.
//
// Keys are opaque strings up to 1024 bytes; values up to 350 KiB (the
// tightest limit among the cloud stores, with room for their overhead).
type Store interface {
	// Get returns the record, or ErrNotFound (also for expired records).
	Get(ctx context.Context, key string) (Record, error)
	// Put writes value if the stored version equals expect (0: the key
	// must not exist or be expired) and returns the new version.
	// ttl 0 means no expiry. On mismatch it returns ErrConflict.
	Put(ctx context.Context, key string, value []byte, expect int64, ttl time.Duration) (int64, error)
	// Delete removes the record if its version equals expect; ErrConflict
	// on mismatch, ErrNotFound if absent.
	Delete(ctx context.Context, key string, expect int64) error
	// List returns live records whose key starts with prefix, in key
	// order, at most limit (0: no limit) after the key `after` ("" from
	// the start). The second result is the last key returned when more
	// remain, "" otherwise.
	List(ctx context.Context, prefix, after string, limit int) ([]Record, string, error)
	// Close releases the store.
	Close() error
}
