package bolt

import (
	"errors"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/functions/state"
)

// committer is group commit over bbolt: writes that arrive while a
// transaction is committing wait and then commit together in the next
// one, so concurrent writers share one fsync instead of queueing for
// one each. A lone writer commits at once; bbolt's own Batch would
// delay it by MaxBatchDelay.
type committer struct {
	db      *bbolt.DB
	mu      sync.Mutex
	pending []*write
	busy    bool // a batch is being committed; the next one follows it
}

type write struct {
	fn   func(*bbolt.Tx) error
	done chan error
}

// update runs fn in a read-write transaction, as bbolt's Update does.
// fn must check before it mutates: an outcome error (conflict, not
// found) leaves the rest of its batch committed along with whatever fn
// wrote before returning it.
func (c *committer) update(fn func(*bbolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	if c.busy {
		c.mu.Unlock()
		return <-w.done
	}
	c.busy = true
	c.mu.Unlock()
	c.run()
	return <-w.done
}

// run commits what is pending, then hands the writes that arrived
// meanwhile to a successor, so no caller waits on others' batches
// after its own is done.
func (c *committer) run() {
	c.mu.Lock()
	batch := c.pending
	c.pending = nil
	c.mu.Unlock()

	c.commit(batch)

	c.mu.Lock()
	if len(c.pending) == 0 {
		c.busy = false
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	go c.run()
}

func (c *committer) commit(batch []*write) {
	if len(batch) == 1 {
		batch[0].done <- c.db.Update(batch[0].fn)
		return
	}
	results := make([]error, len(batch))
	err := c.db.Update(func(tx *bbolt.Tx) error {
		for i, w := range batch {
			results[i] = w.fn(tx)
			if results[i] != nil && !isOutcome(results[i]) {
				return results[i]
			}
		}
		return nil
	})
	if err == nil {
		for i, w := range batch {
			w.done <- results[i]
		}
		return
	}
	// One write failed in a way that spoils the transaction (or the
	// commit itself failed): nothing was written, so each write runs
	// alone and gets its own answer.
	for _, w := range batch {
		w.done <- c.db.Update(w.fn)
	}
}

// isOutcome reports errors that answer a write without spoiling its
// transaction: the checks that fail them run before any mutation.
func isOutcome(err error) bool {
	return errors.Is(err, state.ErrConflict) || errors.Is(err, state.ErrNotFound)
}
