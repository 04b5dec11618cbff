package kv

import (
	"path/filepath"
	"testing"
)

func TestOpenFile(t *testing.T) {
	t.Run("no directory means no file", func(t *testing.T) {
		db, err := OpenFile("", "sim.db")
		if db != nil || err != nil {
			t.Fatalf("OpenFile(\"\") = %v, %v", db, err)
		}
	})
	t.Run("the directory is made and the file survives a reopen", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		db, err := OpenFile(dir, "sim.db")
		if err != nil {
			t.Fatal(err)
		}
		s, err := Open(db, "svc", "things")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put("things", "a", record{Name: "a", N: 1}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db, err = OpenFile(dir, "sim.db")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		s, err = Open(db, "svc", "things")
		if err != nil {
			t.Fatal(err)
		}
		if got := loadAll(t, s, "things"); got["a"] != (record{Name: "a", N: 1}) {
			t.Fatalf("after reopen: %v", got)
		}
	})
}
