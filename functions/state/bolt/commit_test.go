package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/functions/state"
)

// queued puts writes in the committer's queue as if they had arrived
// while another batch was committing, then commits them as one batch.
func queued(t *testing.T, s *Store, fns ...func(*bbolt.Tx) error) []error {
	t.Helper()
	c := &s.writes
	ws := make([]*write, len(fns))
	c.mu.Lock()
	c.busy = true
	for i, fn := range fns {
		ws[i] = &write{fn: fn, done: make(chan error, 1)}
		c.pending = append(c.pending, ws[i])
	}
	c.mu.Unlock()
	c.run()
	errs := make([]error, len(ws))
	for i, w := range ws {
		errs[i] = <-w.done
	}
	return errs
}

func putFn(key, value string) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		return tx.Bucket(recordsBucket).Put([]byte(key), stored{Record: state.Record{Key: key, Value: []byte(value), Version: 1}}.encode())
	}
}

func TestBatchKeepsOthersWhenOneConflicts(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conflict := func(*bbolt.Tx) error { return fmt.Errorf("%w: taken", state.ErrConflict) }
	errs := queued(t, s, putFn("a", "1"), conflict, putFn("b", "2"))
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], state.ErrConflict) {
		t.Fatalf("results = %v, want nil, conflict, nil", errs)
	}
	for _, k := range []string{"a", "b"} {
		if _, err := s.Get(context.Background(), k); err != nil {
			t.Errorf("%s not committed: %v", k, err)
		}
	}
}

func TestBatchRetriesAloneWhenOneSpoilsTheTransaction(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	broken := errors.New("disk says no")
	// The failing write mutates first: its change must not survive.
	spoil := func(tx *bbolt.Tx) error {
		if err := putFn("spoiled", "x")(tx); err != nil {
			return err
		}
		return broken
	}
	errs := queued(t, s, putFn("a", "1"), spoil, putFn("b", "2"))
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], broken) {
		t.Fatalf("results = %v, want nil, %v, nil", errs, broken)
	}
	if _, err := s.Get(context.Background(), "spoiled"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("the failed write's change survived: %v", err)
	}
	for _, k := range []string{"a", "b"} {
		if _, err := s.Get(context.Background(), k); err != nil {
			t.Errorf("%s not committed: %v", k, err)
		}
	}
}

// Many writers at once: every write is answered exactly once and the
// store ends where the answers say.
func TestConcurrentWritersShareCommits(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const writers, each = 16, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := s.Put(ctx, fmt.Sprintf("k/%d/%d", w, i), []byte("v"), 0, 0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	recs, _, err := s.List(ctx, "k/", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != writers*each {
		t.Fatalf("%d records, want %d", len(recs), writers*each)
	}
}

// BenchmarkConcurrentPut compares 8 writers' throughput through the
// store (group commit) with the same writes each in its own bbolt
// transaction, the store's behaviour before group commit.
func BenchmarkConcurrentPut(b *testing.B) {
	for _, mode := range []string{"own-transaction", "group-commit"} {
		b.Run(mode, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "state.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var next atomic.Int64
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := fmt.Sprintf("k/%d", next.Add(1))
					var err error
					if mode == "group-commit" {
						_, err = s.Put(context.Background(), key, []byte("v"), 0, 0)
					} else {
						err = s.db.Update(putFn(key, "v"))
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}
