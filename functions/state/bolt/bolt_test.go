package bolt_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/state"
	"github.com/sockerless/sockerless/functions/state/bolt"
	"github.com/sockerless/sockerless/functions/state/statetest"
)

func open(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store {
		return open(t, filepath.Join(t.TempDir(), "state.db"))
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	ctx := t.Context()
	if _, err := s.Put(ctx, "kept", []byte("value"), 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "kept", []byte("value2"), 1, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "ttl", []byte("x"), 0, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	r, err := s.Get(ctx, "kept")
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Value) != "value2" || r.Version != 2 {
		t.Fatalf("after reopen: %q v%d", r.Value, r.Version)
	}
	r, err = s.Get(ctx, "ttl")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(r.Expires); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("expiry after reopen is %v away", d)
	}
	if _, err := s.Put(ctx, "kept", []byte("v3"), 2, 0); err != nil {
		t.Fatalf("versioned write after reopen: %v", err)
	}
}

func TestSecondOpenOfLockedFileFails(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lock timeout")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	defer s.Close()
	_, err := bolt.Open(path)
	if err == nil {
		t.Fatal("second Open of a locked file succeeded")
	}
	if !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("error %q does not say the file is locked", err)
	}
}
