package kv

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"go.etcd.io/bbolt"
)

type record struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func openDB(t *testing.T, path string) *bbolt.DB {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func loadAll(t *testing.T, s *Store, bucket string) map[string]record {
	t.Helper()
	got := map[string]record{}
	if err := Load(s, bucket, func(k string, r *record) error {
		got[k] = *r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPersistsAcrossReopen writes through one Store, closes the file and
// reads the records back through a new one, as a restarted simulator does.
func TestPersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	db := openDB(t, path)
	s, err := Open(db, "svc", "things", "other")
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name string
		do   func() error
	}{
		{"put a", func() error { return s.Put("things", "a", record{"a", 1}) }},
		{"put b", func() error { return s.Put("things", "b", record{"b", 2}) }},
		{"overwrite a", func() error { return s.Put("things", "a", record{"a", 3}) }},
		{"put c", func() error { return s.Put("things", "c", record{"c", 4}) }},
		{"delete c", func() error { return s.Delete("things", "c") }},
		{"delete missing", func() error { return s.Delete("things", "nope") }},
		{"other bucket", func() error { return s.Put("other", "x", record{"x", 9}) }},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(openDB(t, path), "svc", "things", "other")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]record{"a": {"a", 3}, "b": {"b", 2}}
	if got := loadAll(t, s, "things"); !reflect.DeepEqual(got, want) {
		t.Fatalf("things = %v, want %v", got, want)
	}
	if got := loadAll(t, s, "other"); !reflect.DeepEqual(got, map[string]record{"x": {"x", 9}}) {
		t.Fatalf("other = %v", got)
	}
}

// TestWithoutDatabase checks that a memory-only Store accepts writes and
// reads nothing back, and never calls a transaction function.
func TestWithoutDatabase(t *testing.T) {
	s, err := Open(nil, "svc", "things")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put("things", "a", record{"a", 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("things", "a"); err != nil {
		t.Fatal(err)
	}
	called := errors.New("called")
	for name, run := range map[string]func(func(*bbolt.Bucket) error) error{"Update": s.Update, "View": s.View} {
		if err := run(func(*bbolt.Bucket) error { return called }); err != nil {
			t.Errorf("%s ran its function without a database: %v", name, err)
		}
	}
	if got := loadAll(t, s, "things"); len(got) != 0 {
		t.Fatalf("loaded %v from no database", got)
	}
}

func TestForEach(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	s, err := Open(db, "svc", "things")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(root *bbolt.Bucket) error {
		b := root.Bucket([]byte("things"))
		if _, err := b.CreateBucket([]byte("nested")); err != nil {
			return err
		}
		for _, k := range []string{"b", "a", "c"} {
			if err := b.Put([]byte(k), []byte(`{"name":"`+k+`"}`)); err != nil {
				return err
			}
		}
		return root.Put([]byte("garbage"), []byte("not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		bucket  func(root *bbolt.Bucket) *bbolt.Bucket
		want    []string
		wantErr bool
	}{
		{"in key order, skipping nested buckets", func(r *bbolt.Bucket) *bbolt.Bucket { return r.Bucket([]byte("things")) }, []string{"a", "b", "c"}, false},
		{"undecodable value fails", func(r *bbolt.Bucket) *bbolt.Bucket { return r }, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := s.View(func(root *bbolt.Bucket) error {
				return ForEach(tc.bucket(root), func(k string, r *record) error {
					if r.Name != k {
						t.Errorf("record %q decoded as %+v", k, r)
					}
					got = append(got, k)
					return nil
				})
			})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("keys = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFailedWriteChangesNothing: an error from Update's function rolls
// the whole transaction back, which the services rely on to keep bbolt
// and memory in step.
func TestFailedWriteChangesNothing(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	s, err := Open(db, "svc", "things")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = s.Update(func(root *bbolt.Bucket) error {
		if err := root.Bucket([]byte("things")).Put([]byte("a"), []byte(`{"name":"a"}`)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got := loadAll(t, s, "things"); len(got) != 0 {
		t.Fatalf("rolled-back write is visible: %v", got)
	}
}
