// Package statetest is the conformance suite every state.Store passes.
// A store's own test calls Run with a function that opens a new, empty
// store; the suite closes it.
package statetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/state"
)

// Open returns a new, empty store for one subtest.
type Open func(t *testing.T) state.Store

// Skip leaves one part of the suite out of a run, saying why: for a
// reference implementation that is known to lack what the part checks,
// never for one of the project's own stores.
type Skip struct{ Part, Reason string }

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open func(t *testing.T) state.Store, skips ...Skip) {
	o := Open(open)
	parts := []struct {
		name string
		run  func(*testing.T, Open)
	}{
		{"CRUD", runCRUD},
		{"Values", runValues},
		{"List", runList},
		{"TTL", runTTL},
		{"Concurrency", runConcurrency},
	}
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) {
			for _, s := range skips {
				if s.Part == p.name {
					t.Skip(s.Reason)
				}
			}
			p.run(t, o)
		})
	}
}

// store opens one store and closes it when the test ends.
func (o Open) store(t *testing.T) state.Store {
	t.Helper()
	s := o(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func ctx(t *testing.T) context.Context { return t.Context() }

// put writes and fails the test on error.
func put(t *testing.T, s state.Store, key, value string, expect int64, ttl time.Duration) int64 {
	t.Helper()
	v, err := s.Put(ctx(t), key, []byte(value), expect, ttl)
	if err != nil {
		t.Fatalf("Put(%q, expect %d): %v", key, expect, err)
	}
	return v
}

// wantGet checks the live record under key.
func wantGet(t *testing.T, s state.Store, key, value string, version int64) state.Record {
	t.Helper()
	r, err := s.Get(ctx(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if r.Key != key || string(r.Value) != value || r.Version != version {
		t.Fatalf("Get(%q) = {%q, %q, v%d}, want {%q, %q, v%d}", key, r.Key, r.Value, r.Version, key, value, version)
	}
	return r
}

// wantErr checks that err wraps target (nil: no error).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// keys lists every live key under prefix, following the paging cursor.
func keys(t *testing.T, s state.Store, prefix string, page int) []string {
	t.Helper()
	var out []string
	after := ""
	for i := 0; ; i++ {
		recs, next, err := s.List(ctx(t), prefix, after, page)
		if err != nil {
			t.Fatalf("List(%q, after %q, limit %d): %v", prefix, after, page, err)
		}
		for _, r := range recs {
			out = append(out, r.Key)
		}
		if next == "" {
			return out
		}
		if i > 1000 {
			t.Fatalf("List(%q) does not end", prefix)
		}
		after = next
	}
}

func runCRUD(t *testing.T, o Open) {
	tests := []struct {
		name string
		run  func(t *testing.T, s state.Store)
	}{
		{"create starts at version 1", func(t *testing.T, s state.Store) {
			if v := put(t, s, "k", "one", 0, 0); v != 1 {
				t.Fatalf("version %d, want 1", v)
			}
			r := wantGet(t, s, "k", "one", 1)
			if !r.Expires.IsZero() {
				t.Fatalf("Expires = %v for a record without TTL", r.Expires)
			}
		}},
		{"create over a live key conflicts", func(t *testing.T, s state.Store) {
			put(t, s, "k", "one", 0, 0)
			_, err := s.Put(ctx(t), "k", []byte("two"), 0, 0)
			wantErr(t, "Put expect 0 on live key", err, state.ErrConflict)
			wantGet(t, s, "k", "one", 1)
		}},
		{"update with the right version", func(t *testing.T, s state.Store) {
			put(t, s, "k", "one", 0, 0)
			if v := put(t, s, "k", "two", 1, 0); v != 2 {
				t.Fatalf("version %d, want 2", v)
			}
			if v := put(t, s, "k", "three", 2, 0); v != 3 {
				t.Fatalf("version %d, want 3", v)
			}
			wantGet(t, s, "k", "three", 3)
		}},
		{"update with a stale version conflicts", func(t *testing.T, s state.Store) {
			put(t, s, "k", "one", 0, 0)
			put(t, s, "k", "two", 1, 0)
			_, err := s.Put(ctx(t), "k", []byte("lost"), 1, 0)
			wantErr(t, "Put stale version", err, state.ErrConflict)
			_, err = s.Put(ctx(t), "k", []byte("lost"), 7, 0)
			wantErr(t, "Put future version", err, state.ErrConflict)
			wantGet(t, s, "k", "two", 2)
		}},
		{"update of an absent key conflicts", func(t *testing.T, s state.Store) {
			_, err := s.Put(ctx(t), "nothing", []byte("x"), 1, 0)
			wantErr(t, "Put expect 1 on absent key", err, state.ErrConflict)
			_, err = s.Get(ctx(t), "nothing")
			wantErr(t, "Get after failed Put", err, state.ErrNotFound)
		}},
		{"get of an absent key", func(t *testing.T, s state.Store) {
			_, err := s.Get(ctx(t), "nothing")
			wantErr(t, "Get absent", err, state.ErrNotFound)
		}},
		{"delete with the right version", func(t *testing.T, s state.Store) {
			put(t, s, "k", "one", 0, 0)
			put(t, s, "k", "two", 1, 0)
			wantErr(t, "Delete", s.Delete(ctx(t), "k", 2), nil)
			_, err := s.Get(ctx(t), "k")
			wantErr(t, "Get after Delete", err, state.ErrNotFound)
		}},
		{"delete with a wrong version conflicts", func(t *testing.T, s state.Store) {
			put(t, s, "k", "one", 0, 0)
			put(t, s, "k", "two", 1, 0)
			wantErr(t, "Delete stale", s.Delete(ctx(t), "k", 1), state.ErrConflict)
			wantErr(t, "Delete expect 0", s.Delete(ctx(t), "k", 0), state.ErrConflict)
			wantGet(t, s, "k", "two", 2)
		}},
		{"delete of an absent key", func(t *testing.T, s state.Store) {
			wantErr(t, "Delete absent", s.Delete(ctx(t), "nothing", 1), state.ErrNotFound)
		}},
		{"create after delete starts again at 1", func(t *testing.T, s state.Store) {
			put(t, s, "k", "one", 0, 0)
			wantErr(t, "Delete", s.Delete(ctx(t), "k", 1), nil)
			if v := put(t, s, "k", "again", 0, 0); v != 1 {
				t.Fatalf("version %d, want 1", v)
			}
			wantGet(t, s, "k", "again", 1)
		}},
		{"keys are independent", func(t *testing.T, s state.Store) {
			put(t, s, "a", "1", 0, 0)
			put(t, s, "b", "2", 0, 0)
			put(t, s, "a", "3", 1, 0)
			wantGet(t, s, "a", "3", 2)
			wantGet(t, s, "b", "2", 1)
		}},
		{"cancelled context fails", func(t *testing.T, s state.Store) {
			c, cancel := context.WithCancel(ctx(t))
			cancel()
			if _, err := s.Put(c, "k", []byte("x"), 0, 0); err == nil {
				t.Fatal("Put with a cancelled context succeeded")
			}
			if _, err := s.Get(c, "k"); err == nil {
				t.Fatal("Get with a cancelled context succeeded")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, o.store(t)) })
	}
}

func runValues(t *testing.T, o Open) {
	binary := make([]byte, 0, 512)
	for i := range 512 {
		binary = append(binary, byte(i%256))
	}
	large := bytes.Repeat([]byte("0123456789abcdef"), state.MaxValueBytes/16)
	tests := []struct {
		name    string
		key     string
		value   []byte
		invalid bool
	}{
		{"binary value with every byte", "bin", binary, false},
		{"empty value", "empty", []byte{}, false},
		{"value at the size limit", "large", large, false},
		{"value over the size limit", "too-large", append(bytes.Clone(large), 'x'), true},
		{"key at the size limit", strings.Repeat("k", state.MaxKeyBytes), []byte("v"), false},
		{"key over the size limit", strings.Repeat("k", state.MaxKeyBytes+1), []byte("v"), true},
		{"empty key", "", []byte("v"), true},
		{"key with unicode and separators", "ns/ключ/🙂/a b", []byte("v"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := o.store(t)
			_, err := s.Put(ctx(t), tt.key, tt.value, 0, 0)
			if tt.invalid {
				if err == nil || errors.Is(err, state.ErrConflict) || errors.Is(err, state.ErrNotFound) {
					t.Fatalf("Put: error %v, want a size or key error", err)
				}
				if !errors.Is(err, state.ErrInvalid) {
					t.Fatalf("Put: error %v does not wrap state.ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			r, err := s.Get(ctx(t), tt.key)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !bytes.Equal(r.Value, tt.value) {
				t.Fatalf("Get returned %d bytes that differ from the %d written", len(r.Value), len(tt.value))
			}
		})
	}
	t.Run("returned values are copies", func(t *testing.T) {
		s := o.store(t)
		in := []byte("original")
		put(t, s, "k", string(in), 0, 0)
		in[0] = 'X'
		r := wantGet(t, s, "k", "original", 1)
		r.Value[0] = 'Y'
		wantGet(t, s, "k", "original", 1)
	})
}

func runList(t *testing.T, o Open) {
	seed := []string{"a", "a/b", "a/b/1", "a/b/2", "a/bc", "a/bc/1", "b/1", "b/2", "b/3", "c"}
	tests := []struct {
		name   string
		prefix string
		page   int
		want   []string
	}{
		{"everything in key order", "", 0, seed},
		{"prefix", "b/", 0, []string{"b/1", "b/2", "b/3"}},
		{"prefix is a plain string prefix", "a/b", 0, []string{"a/b", "a/b/1", "a/b/2", "a/bc", "a/bc/1"}},
		{"prefix isolation with separator", "a/b/", 0, []string{"a/b/1", "a/b/2"}},
		{"sibling prefix", "a/bc", 0, []string{"a/bc", "a/bc/1"}},
		{"no match", "zz", 0, nil},
		{"paging by one", "", 1, seed},
		{"paging by three", "a/", 3, []string{"a/b", "a/b/1", "a/b/2", "a/bc", "a/bc/1"}},
		{"page equal to the count", "b/", 3, []string{"b/1", "b/2", "b/3"}},
	}
	s := o.store(t)
	for i, k := range seed {
		put(t, s, k, fmt.Sprint(i), 0, 0)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keys(t, s, tt.prefix, tt.page)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("keys = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("limit and cursor", func(t *testing.T) {
		recs, next, err := s.List(ctx(t), "b/", "", 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].Key != "b/1" || recs[1].Key != "b/2" || next != "b/2" {
			t.Fatalf("first page = %v, next %q", recKeys(recs), next)
		}
		if string(recs[0].Value) != "6" || recs[0].Version != 1 {
			t.Fatalf("record b/1 = %q v%d, want \"6\" v1", recs[0].Value, recs[0].Version)
		}
		recs, next, err = s.List(ctx(t), "b/", next, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].Key != "b/3" || next != "" {
			t.Fatalf("second page = %v, next %q", recKeys(recs), next)
		}
	})
	t.Run("after a key outside the prefix", func(t *testing.T) {
		if got := recKeysOf(t, s, "b/", "a"); strings.Join(got, ",") != "b/1,b/2,b/3" {
			t.Fatalf("after before the prefix: %q", got)
		}
		if got := recKeysOf(t, s, "b/", "b/25"); strings.Join(got, ",") != "b/3" {
			t.Fatalf("after between keys: %q", got)
		}
		if got := recKeysOf(t, s, "b/", "c"); len(got) != 0 {
			t.Fatalf("after past the prefix: %q", got)
		}
	})
	t.Run("deleted keys disappear", func(t *testing.T) {
		s := o.store(t)
		put(t, s, "x/1", "", 0, 0)
		put(t, s, "x/2", "", 0, 0)
		wantErr(t, "Delete", s.Delete(ctx(t), "x/1", 1), nil)
		if got := keys(t, s, "x/", 0); strings.Join(got, ",") != "x/2" {
			t.Fatalf("keys = %q", got)
		}
	})
}

func recKeysOf(t *testing.T, s state.Store, prefix, after string) []string {
	t.Helper()
	recs, _, err := s.List(ctx(t), prefix, after, 0)
	if err != nil {
		t.Fatal(err)
	}
	return recKeys(recs)
}

func recKeys(recs []state.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}

func runConcurrency(t *testing.T, o Open) {
	const workers, each = 8, 50
	s := o.store(t)
	put(t, s, "counter", "0", 0, 0)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := increment(ctx(t), s, "counter"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantGet(t, s, "counter", fmt.Sprint(workers*each), workers*each+1)
}

// increment is the read-modify-write loop every caller of a store runs.
func increment(ctx context.Context, s state.Store, key string) error {
	for attempt := 0; attempt < 10000; attempt++ {
		r, err := s.Get(ctx, key)
		if err != nil {
			return err
		}
		var n int
		if _, err := fmt.Sscan(string(r.Value), &n); err != nil {
			return fmt.Errorf("counter value %q: %v", r.Value, err)
		}
		_, err = s.Put(ctx, key, []byte(fmt.Sprint(n+1)), r.Version, 0)
		if errors.Is(err, state.ErrConflict) {
			continue
		}
		return err
	}
	return fmt.Errorf("increment %q: too many conflicts", key)
}
