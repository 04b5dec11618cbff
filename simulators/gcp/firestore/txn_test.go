package firestore

import (
	"context"
	"testing"
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TestTransactionsExpire proves a transaction left idle, or open too
// long, is ended as Firestore ends it: its commit says it is closed.
func TestTransactionsExpire(t *testing.T) {
	const db = "projects/p/databases/(default)"
	for _, tc := range []struct {
		name  string
		steps []time.Duration // clock advances, each followed by a read in the transaction
		wait  time.Duration   // before the commit
		want  codes.Code
	}{
		{"a transaction used within its idle time commits", nil, 59 * time.Second, codes.OK},
		{"a transaction idle for over a minute is closed", nil, 61 * time.Second, codes.InvalidArgument},
		{"reads keep a transaction alive", []time.Duration{50 * time.Second, 50 * time.Second}, 50 * time.Second, codes.OK},
		{"a transaction open over 270 seconds is closed however busy", []time.Duration{50 * time.Second, 50 * time.Second, 50 * time.Second, 50 * time.Second, 50 * time.Second}, 30 * time.Second, codes.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			s, err := New(service.Base{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			bt, err := s.BeginTransaction(ctx, &pb.BeginTransactionRequest{Database: db})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range tc.steps {
				now = now.Add(d)
				_, err := s.GetDocument(ctx, &pb.GetDocumentRequest{Name: db + "/documents/c/d", ConsistencySelector: &pb.GetDocumentRequest_Transaction{Transaction: bt.Transaction}})
				if status.Code(err) != codes.NotFound && status.Code(err) != codes.InvalidArgument {
					t.Fatalf("read: %v", err)
				}
			}
			now = now.Add(tc.wait)
			_, err = s.Commit(ctx, &pb.CommitRequest{Database: db, Transaction: bt.Transaction})
			if status.Code(err) != tc.want {
				t.Fatalf("commit: %v, want %v", err, tc.want)
			}
		})
	}
}
