package server

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
)

// TestDocuments drives single-document writes and reads through the SDK:
// each case starts from a document c/d holding {n: 1, s: "x"}.
func TestDocuments(t *testing.T) {
	srv := startServer(t, Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, created time.Time)
	}{
		{"get returns the fields and equal create and update times", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, created time.Time) {
			snap, err := d.Get(ctx)
			wantCode(t, err, codes.OK)
			if got := snap.Data(); got["n"] != int64(1) || got["s"] != "x" || !snap.CreateTime.Equal(created) || !snap.UpdateTime.Equal(created) {
				t.Fatalf("got %v created %v updated %v, want n=1 s=x at %v", got, snap.CreateTime, snap.UpdateTime, created)
			}
		}},
		{"create of an existing document is ALREADY_EXISTS", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := d.Create(ctx, map[string]any{"n": 2})
			wantCode(t, err, codes.AlreadyExists)
		}},
		{"update of a missing document is NOT_FOUND", func(t *testing.T, c *firestore.Client, _ *firestore.DocumentRef, _ time.Time) {
			_, err := c.Doc("c/missing").Update(ctx, []firestore.Update{{Path: "n", Value: 1}})
			wantCode(t, err, codes.NotFound)
		}},
		{"get of a missing document is NOT_FOUND with a snapshot that does not exist", func(t *testing.T, c *firestore.Client, _ *firestore.DocumentRef, _ time.Time) {
			snap, err := c.Doc("c/missing").Get(ctx)
			wantCode(t, err, codes.NotFound)
			if snap == nil || snap.Exists() {
				t.Fatalf("snapshot %v", snap)
			}
		}},
		{"update with a stale update time is FAILED_PRECONDITION and changes nothing", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, created time.Time) {
			_, err := d.Update(ctx, []firestore.Update{{Path: "n", Value: 2}})
			wantCode(t, err, codes.OK)
			_, err = d.Update(ctx, []firestore.Update{{Path: "n", Value: 3}}, firestore.LastUpdateTime(created))
			wantCode(t, err, codes.FailedPrecondition)
			if snap, _ := d.Get(ctx); snap.Data()["n"] != int64(2) {
				t.Fatalf("n = %v after a failed update, want 2", snap.Data()["n"])
			}
		}},
		{"update with the current update time succeeds", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, created time.Time) {
			wr, err := d.Update(ctx, []firestore.Update{{Path: "n", Value: 2}}, firestore.LastUpdateTime(created))
			wantCode(t, err, codes.OK)
			if !wr.UpdateTime.After(created) {
				t.Fatalf("update time %v not after %v", wr.UpdateTime, created)
			}
		}},
		{"set replaces every field, set with merge keeps the others", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := d.Set(ctx, map[string]any{"m": true})
			wantCode(t, err, codes.OK)
			_, err = d.Set(ctx, map[string]any{"k": "v"}, firestore.MergeAll)
			wantCode(t, err, codes.OK)
			snap, _ := d.Get(ctx)
			if got := snap.Data(); len(got) != 2 || got["m"] != true || got["k"] != "v" {
				t.Fatalf("got %v, want {m: true, k: v}", got)
			}
		}},
		{"update sets a nested path and deletes a field", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := d.Update(ctx, []firestore.Update{{Path: "a.b", Value: "deep"}, {Path: "s", Value: firestore.Delete}, {FieldPath: firestore.FieldPath{"x.y"}, Value: 7}})
			wantCode(t, err, codes.OK)
			snap, _ := d.Get(ctx)
			got := snap.Data()
			if got["a"].(map[string]any)["b"] != "deep" || got["x.y"] != int64(7) || got["s"] != nil || got["n"] != int64(1) {
				t.Fatalf("got %v", got)
			}
		}},
		{"a write that changes nothing keeps the update time", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, created time.Time) {
			wr, err := d.Set(ctx, map[string]any{"n": 1, "s": "x"})
			wantCode(t, err, codes.OK)
			if !wr.UpdateTime.Equal(created) {
				t.Fatalf("update time %v, want unchanged %v", wr.UpdateTime, created)
			}
		}},
		{"delete with exists on a missing document is NOT_FOUND, without it succeeds", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := c.Doc("c/missing").Delete(ctx, firestore.Exists)
			wantCode(t, err, codes.NotFound)
			_, err = c.Doc("c/missing").Delete(ctx)
			wantCode(t, err, codes.OK)
			_, err = d.Delete(ctx, firestore.Exists)
			wantCode(t, err, codes.OK)
			_, err = d.Get(ctx)
			wantCode(t, err, codes.NotFound)
		}},
		{"get all returns found and missing documents in order", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			snaps, err := c.GetAll(ctx, []*firestore.DocumentRef{c.Doc("c/missing"), d})
			wantCode(t, err, codes.OK)
			if len(snaps) != 2 || snaps[0].Exists() || !snaps[1].Exists() || snaps[1].Data()["n"] != int64(1) {
				t.Fatalf("got %v", snaps)
			}
		}},
		{"increment adds to integers and doubles and creates a missing field", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := d.Update(ctx, []firestore.Update{{Path: "n", Value: firestore.Increment(4)}, {Path: "f", Value: firestore.Increment(0.5)}})
			wantCode(t, err, codes.OK)
			_, err = d.Update(ctx, []firestore.Update{{Path: "f", Value: firestore.Increment(1)}})
			wantCode(t, err, codes.OK)
			snap, _ := d.Get(ctx)
			if got := snap.Data(); got["n"] != int64(5) || got["f"] != 1.5 {
				t.Fatalf("got %v, want n=5 f=1.5", got)
			}
		}},
		{"server timestamp is the commit's time in milliseconds", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			wr, err := d.Update(ctx, []firestore.Update{{Path: "at", Value: firestore.ServerTimestamp}})
			wantCode(t, err, codes.OK)
			snap, _ := d.Get(ctx)
			if at := snap.Data()["at"].(time.Time); !at.Equal(wr.UpdateTime.Truncate(time.Millisecond)) {
				t.Fatalf("server timestamp %v, update time %v", at, wr.UpdateTime)
			}
		}},
		{"array union adds only missing elements, array remove removes every copy", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := d.Update(ctx, []firestore.Update{{Path: "tags", Value: []any{"a", "b", "a"}}})
			wantCode(t, err, codes.OK)
			_, err = d.Update(ctx, []firestore.Update{{Path: "tags", Value: firestore.ArrayUnion("b", "c")}})
			wantCode(t, err, codes.OK)
			_, err = d.Update(ctx, []firestore.Update{{Path: "tags", Value: firestore.ArrayRemove("a")}})
			wantCode(t, err, codes.OK)
			snap, _ := d.Get(ctx)
			if got := snap.Data()["tags"].([]any); len(got) != 2 || got[0] != "b" || got[1] != "c" {
				t.Fatalf("tags %v, want [b c]", got)
			}
		}},
		{"a batch with a failing write applies none of its writes", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := c.Batch().Set(c.Doc("c/other"), map[string]any{"v": 1}).Create(d, map[string]any{"n": 9}).Commit(ctx)
			wantCode(t, err, codes.AlreadyExists)
			_, err = c.Doc("c/other").Get(ctx)
			wantCode(t, err, codes.NotFound)
		}},
		{"bulk writer applies each write on its own", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			bw := c.BulkWriter(ctx)
			ok, err := bw.Create(c.Doc("c/bulk"), map[string]any{"v": 1})
			wantCode(t, err, codes.OK)
			dup, err := bw.Create(d, map[string]any{"v": 1})
			wantCode(t, err, codes.OK)
			bw.End()
			_, err = ok.Results()
			wantCode(t, err, codes.OK)
			_, err = dup.Results()
			wantCode(t, err, codes.AlreadyExists)
		}},
		{"collections and document refs list what exists, and parents of subcollections", func(t *testing.T, c *firestore.Client, d *firestore.DocumentRef, _ time.Time) {
			_, err := c.Doc("c/ghost/sub/x").Set(ctx, map[string]any{"v": 1})
			wantCode(t, err, codes.OK)
			refs, err := c.Collection("c").DocumentRefs(ctx).GetAll()
			wantCode(t, err, codes.OK)
			if len(refs) != 2 || refs[0].ID != "d" || refs[1].ID != "ghost" {
				t.Fatalf("refs %v, want d and ghost", refs)
			}
			colls, err := c.Doc("c/ghost").Collections(ctx).GetAll()
			wantCode(t, err, codes.OK)
			if len(colls) != 1 || colls[0].ID != "sub" {
				t.Fatalf("collections %v, want sub", colls)
			}
			it := c.Collections(ctx)
			first, err := it.Next()
			wantCode(t, err, codes.OK)
			if _, err := it.Next(); first.ID != "c" || err != iterator.Done {
				t.Fatalf("root collections %v, %v; want only c", first.ID, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sdkClient(t, srv.Addr(), newProject(t))
			d := c.Doc("c/d")
			wr, err := d.Create(ctx, map[string]any{"n": 1, "s": "x"})
			if err != nil {
				t.Fatal(err)
			}
			tc.run(t, c, d, wr.UpdateTime)
		})
	}
}
