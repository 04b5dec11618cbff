package server

import (
	"context"
	"testing"

	"cloud.google.com/go/firestore"

	"google.golang.org/grpc/codes"
)

// TestDocumentsSurviveRestart proves documents are written to the state
// file and read back by the next simulator on it, deletions included.
func TestDocumentsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	c := sdkClient(t, first.Addr(), "persist")
	wr, err := c.Doc("c/kept").Set(ctx, map[string]any{"n": 1, "m": map[string]any{"k": "v"}})
	wantCode(t, err, codes.OK)
	_, err = c.Doc("c/gone").Set(ctx, map[string]any{"n": 2})
	wantCode(t, err, codes.OK)
	_, err = c.Doc("c/gone").Delete(ctx)
	wantCode(t, err, codes.OK)
	c.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, Config{DataDir: dir})
	c = sdkClient(t, second.Addr(), "persist")
	snap, err := c.Doc("c/kept").Get(ctx)
	wantCode(t, err, codes.OK)
	if snap.Data()["n"] != int64(1) || snap.Data()["m"].(map[string]any)["k"] != "v" || !snap.UpdateTime.Equal(wr.UpdateTime) {
		t.Fatalf("after restart: %v updated %v, want n=1 m.k=v updated %v", snap.Data(), snap.UpdateTime, wr.UpdateTime)
	}
	_, err = c.Doc("c/gone").Get(ctx)
	wantCode(t, err, codes.NotFound)
	// Commit times keep increasing across the restart.
	wr2, err := c.Doc("c/kept").Update(ctx, []firestore.Update{{Path: "n", Value: 2}})
	wantCode(t, err, codes.OK)
	if !wr2.UpdateTime.After(wr.UpdateTime) {
		t.Fatalf("update time %v not after %v", wr2.UpdateTime, wr.UpdateTime)
	}
}
