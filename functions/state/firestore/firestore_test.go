package firestore_test

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	fsdk "cloud.google.com/go/firestore"

	"github.com/sockerless/sockerless/functions/state"
	"github.com/sockerless/sockerless/functions/state/firestore"
	"github.com/sockerless/sockerless/functions/state/statetest"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	gcpsimtest.StopEmulator()
	os.Exit(code)
}

// TestSimulator runs the conformance suite against the workspace's GCP
// simulator, built from source and run as a process.
func TestSimulator(t *testing.T) {
	runSuite(t, gcpsimtest.Firestore(t, gcpsimtest.Simulator(t, t.TempDir()), gcpsimtest.Project))
}

// TestEmulator runs the same suite against the real Firestore emulator
// (gcloud's), the reference for what Firestore accepts and answers.
func TestEmulator(t *testing.T) {
	runSuite(t, gcpsimtest.Firestore(t, gcpsimtest.Emulator(t), gcpsimtest.Project))
}

var collections atomic.Int64

// collection names a collection no other store of the run uses: the
// emulator lives as long as the test binary, the suite wants empty
// stores.
func collection(kind string) string {
	return fmt.Sprintf("%s-%d-%d", kind, time.Now().UnixNano(), collections.Add(1))
}

// runSuite runs statetest with a fresh collection per store.
func runSuite(t *testing.T, client *fsdk.Client) {
	statetest.Run(t, func(t *testing.T) state.Store {
		s, err := firestore.New(client, collection("state"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Stores in different collections, including subcollections of one
// document, see nothing of each other: each backend keeps its
// containers to itself.
func TestCollectionsAreApart(t *testing.T) {
	client := gcpsimtest.Firestore(t, gcpsimtest.Simulator(t, t.TempDir()), gcpsimtest.Project)
	ctx := t.Context()
	open := func(path string) *firestore.Store {
		s, err := firestore.New(client, path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	run, gcf := open("sockerless/cloudrun/records"), open("sockerless/gcf/records")
	if _, err := run.Put(ctx, "containers/a", []byte("cloudrun"), 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := gcf.Get(ctx, "containers/a"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("the gcf collection sees the cloudrun record: %v", err)
	}
	if recs, _, err := gcf.List(ctx, "containers/", "", 0); err != nil || len(recs) != 0 {
		t.Errorf("the gcf collection lists %v, %v", recs, err)
	}
	if _, err := gcf.Put(ctx, "containers/a", []byte("gcf"), 0, 0); err != nil {
		t.Fatalf("the same key in another collection: %v", err)
	}
	if r, err := run.Get(ctx, "containers/a"); err != nil || string(r.Value) != "cloudrun" {
		t.Errorf("cloudrun record after gcf's write: %q, %v", r.Value, err)
	}
	for _, bad := range []string{"", "sockerless/cloudrun"} {
		if _, err := firestore.New(client, bad); err == nil {
			t.Errorf("collection path %q was accepted", bad)
		}
	}
}
