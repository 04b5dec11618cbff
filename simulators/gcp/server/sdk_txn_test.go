package server

import (
	"context"
	"errors"
	"sync"
	"testing"

	"cloud.google.com/go/firestore"
	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestTransactions drives transactions through the SDK and, where the
// SDK would retry what the test wants to see, through the raw API.
func TestTransactions(t *testing.T) {
	srv := startServer(t, Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *firestore.Client, project string)
	}{
		{"a transaction reads and writes atomically", func(t *testing.T, c *firestore.Client, _ string) {
			err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
				snap, err := tx.Get(c.Doc("acct/a"))
				if err != nil {
					return err
				}
				n := snap.Data()["n"].(int64)
				return errors.Join(tx.Update(c.Doc("acct/a"), []firestore.Update{{Path: "n", Value: n - 10}}),
					tx.Set(c.Doc("acct/b"), map[string]any{"n": 10}))
			})
			wantCode(t, err, codes.OK)
			a, _ := c.Doc("acct/a").Get(ctx)
			b, _ := c.Doc("acct/b").Get(ctx)
			if a.Data()["n"] != int64(90) || b.Data()["n"] != int64(10) {
				t.Fatalf("a=%v b=%v, want 90 and 10", a.Data(), b.Data())
			}
		}},
		{"concurrent increments all count", func(t *testing.T, c *firestore.Client, _ string) {
			const workers = 4 // the SDK gives up after 5 attempts: more contenders on a loaded machine could exhaust them
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
						snap, err := tx.Get(c.Doc("acct/a"))
						if err != nil {
							return err
						}
						return tx.Update(c.Doc("acct/a"), []firestore.Update{{Path: "n", Value: snap.Data()["n"].(int64) + 1}})
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				wantCode(t, err, codes.OK)
			}
			a, _ := c.Doc("acct/a").Get(ctx)
			if a.Data()["n"] != int64(100+workers) {
				t.Fatalf("n = %v, want %d", a.Data()["n"], 100+workers)
			}
		}},
		{"a function that fails rolls back its writes", func(t *testing.T, c *firestore.Client, _ string) {
			boom := errors.New("boom")
			err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
				tx.Set(c.Doc("acct/c"), map[string]any{"n": 1})
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want boom", err)
			}
			_, err = c.Doc("acct/c").Get(ctx)
			wantCode(t, err, codes.NotFound)
		}},
		{"a read-only transaction cannot write", func(t *testing.T, c *firestore.Client, _ string) {
			err := c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
				return tx.Set(c.Doc("acct/c"), map[string]any{"n": 1})
			}, firestore.ReadOnly)
			if err == nil {
				t.Fatal("a read-only transaction wrote")
			}
		}},
		{"of two transactions that read and write a document the second is ABORTED", func(t *testing.T, c *firestore.Client, project string) {
			raw, rctx := rawClient(t, srv.Addr())
			db := "projects/" + project + "/databases/(default)"
			name := db + "/documents/acct/a"
			var txs [2][]byte
			for i := range txs {
				bt, err := raw.BeginTransaction(rctx, &pb.BeginTransactionRequest{Database: db})
				wantCode(t, err, codes.OK)
				txs[i] = bt.Transaction
				_, err = raw.GetDocument(rctx, &pb.GetDocumentRequest{Name: name, ConsistencySelector: &pb.GetDocumentRequest_Transaction{Transaction: txs[i]}})
				wantCode(t, err, codes.OK)
			}
			write := []*pb.Write{{Operation: &pb.Write_Update{Update: &pb.Document{Name: name, Fields: map[string]*pb.Value{"n": {ValueType: &pb.Value_IntegerValue{IntegerValue: 1}}}}}}}
			_, err := raw.Commit(rctx, &pb.CommitRequest{Database: db, Transaction: txs[0], Writes: write})
			wantCode(t, err, codes.OK)
			_, err = raw.Commit(rctx, &pb.CommitRequest{Database: db, Transaction: txs[1], Writes: write})
			wantCode(t, err, codes.Aborted)
		}},
		{"a document added to what a transaction's query read aborts it", func(t *testing.T, c *firestore.Client, project string) {
			raw, rctx := rawClient(t, srv.Addr())
			db := "projects/" + project + "/databases/(default)"
			stream, err := raw.RunQuery(rctx, &pb.RunQueryRequest{Parent: db + "/documents",
				QueryType:           &pb.RunQueryRequest_StructuredQuery{StructuredQuery: &pb.StructuredQuery{From: []*pb.StructuredQuery_CollectionSelector{{CollectionId: "acct"}}, Limit: wrapperspb.Int32(5)}},
				ConsistencySelector: &pb.RunQueryRequest_NewTransaction{NewTransaction: &pb.TransactionOptions{}}})
			wantCode(t, err, codes.OK)
			first, err := stream.Recv()
			wantCode(t, err, codes.OK)
			if first.Transaction == nil {
				t.Fatal("no transaction in the first response")
			}
			for err == nil {
				_, err = stream.Recv()
			}
			_, err = c.Doc("acct/new").Set(ctx, map[string]any{"n": 1})
			wantCode(t, err, codes.OK)
			_, err = raw.Commit(rctx, &pb.CommitRequest{Database: db, Transaction: first.Transaction})
			wantCode(t, err, codes.Aborted)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			project := newProject(t)
			c := sdkClient(t, srv.Addr(), project)
			if _, err := c.Doc("acct/a").Set(ctx, map[string]any{"n": 100}); err != nil {
				t.Fatal(err)
			}
			tc.run(t, c, project)
		})
	}
}
