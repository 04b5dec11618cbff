package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestBadInput sends requests the SDK would not, through the raw API, and
// checks each gets Firestore's status code.
func TestBadInput(t *testing.T) {
	srv := startServer(t, Config{})
	raw, ctx := rawClient(t, srv.Addr())
	db := "projects/bad/databases/(default)"
	root := db + "/documents"
	intv := func(n int64) *pb.Value { return &pb.Value{ValueType: &pb.Value_IntegerValue{IntegerValue: n}} }
	commit := func(w *pb.Write) error {
		_, err := raw.Commit(ctx, &pb.CommitRequest{Database: db, Writes: []*pb.Write{w}})
		return err
	}
	query := func(q *pb.StructuredQuery) error {
		s, err := raw.RunQuery(ctx, &pb.RunQueryRequest{Parent: root, QueryType: &pb.RunQueryRequest_StructuredQuery{StructuredQuery: q}})
		if err != nil {
			return err
		}
		for err == nil {
			_, err = s.Recv()
		}
		if err == io.EOF {
			return nil
		}
		return err
	}
	from := []*pb.StructuredQuery_CollectionSelector{{CollectionId: "c"}}
	if _, err := raw.CreateDocument(ctx, &pb.CreateDocumentRequest{Parent: root, CollectionId: "c", DocumentId: "a", Document: &pb.Document{Fields: map[string]*pb.Value{"n": intv(1)}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"a collection's name where a document's belongs", func() error {
			_, err := raw.GetDocument(ctx, &pb.GetDocumentRequest{Name: root + "/c"})
			return err
		}, codes.InvalidArgument},
		{"a database name that is not projects/p/databases/d", func() error {
			_, err := raw.Commit(ctx, &pb.CommitRequest{Database: "projects/bad"})
			return err
		}, codes.InvalidArgument},
		{"a write of a document in another database", func() error {
			return commit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: "projects/other/databases/(default)/documents/c/a"}}})
		}, codes.InvalidArgument},
		{"a write with no operation", func() error { return commit(&pb.Write{}) }, codes.InvalidArgument},
		{"an update mask with an unterminated backtick", func() error {
			return commit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: root + "/c/a"}}, UpdateMask: &pb.DocumentMask{FieldPaths: []string{"`a"}}})
		}, codes.InvalidArgument},
		{"an update time with more than microsecond precision", func() error {
			return commit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: root + "/c/a"}},
				CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: &timestamppb.Timestamp{Seconds: 1, Nanos: 1}}}})
		}, codes.InvalidArgument},
		{"an update time precondition on a missing document", func() error {
			return commit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: root + "/c/none"}},
				CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: &timestamppb.Timestamp{Seconds: 1}}}})
		}, codes.FailedPrecondition},
		{"an increment by a string", func() error {
			return commit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: root + "/c/a"}}, UpdateMask: &pb.DocumentMask{},
				UpdateTransforms: []*pb.DocumentTransform_FieldTransform{{FieldPath: "n", TransformType: &pb.DocumentTransform_FieldTransform_Increment{Increment: &pb.Value{ValueType: &pb.Value_StringValue{StringValue: "1"}}}}}})
		}, codes.InvalidArgument},
		{"a commit in a transaction never begun", func() error {
			_, err := raw.Commit(ctx, &pb.CommitRequest{Database: db, Transaction: []byte("nope")})
			return err
		}, codes.InvalidArgument},
		{"a second commit of one transaction", func() error {
			bt, err := raw.BeginTransaction(ctx, &pb.BeginTransactionRequest{Database: db})
			if err != nil {
				return err
			}
			if _, err := raw.Commit(ctx, &pb.CommitRequest{Database: db, Transaction: bt.Transaction}); err != nil {
				return err
			}
			_, err = raw.Commit(ctx, &pb.CommitRequest{Database: db, Transaction: bt.Transaction})
			return err
		}, codes.InvalidArgument},
		{"a query with a negative limit", func() error { return query(&pb.StructuredQuery{From: from, Limit: wrapperspb.Int32(-1)}) }, codes.InvalidArgument},
		{"a query of two collections", func() error { return query(&pb.StructuredQuery{From: append(from, from...)}) }, codes.InvalidArgument},
		{"an in filter with an empty list", func() error {
			return query(&pb.StructuredQuery{From: from, Where: &pb.StructuredQuery_Filter{FilterType: &pb.StructuredQuery_Filter_FieldFilter{FieldFilter: &pb.StructuredQuery_FieldFilter{
				Field: &pb.StructuredQuery_FieldReference{FieldPath: "n"}, Op: pb.StructuredQuery_FieldFilter_IN, Value: &pb.Value{ValueType: &pb.Value_ArrayValue{ArrayValue: &pb.ArrayValue{}}}}}}})
		}, codes.InvalidArgument},
		{"a cursor longer than the order", func() error {
			return query(&pb.StructuredQuery{From: from, StartAt: &pb.Cursor{Values: []*pb.Value{intv(1), intv(2)}}})
		}, codes.InvalidArgument},
		{"a create with a name of its own", func() error {
			_, err := raw.CreateDocument(ctx, &pb.CreateDocumentRequest{Parent: root, CollectionId: "c", Document: &pb.Document{Name: root + "/c/x"}})
			return err
		}, codes.InvalidArgument},
		{"a create of an existing document", func() error {
			_, err := raw.CreateDocument(ctx, &pb.CreateDocumentRequest{Parent: root, CollectionId: "c", DocumentId: "a", Document: &pb.Document{}})
			return err
		}, codes.AlreadyExists},
		{"a delete with a stale update time", func() error {
			return raw.DeleteDocument(ctx, &pb.DeleteDocumentRequest{Name: root + "/c/a",
				CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: &timestamppb.Timestamp{Seconds: 1}}}})
		}, codes.FailedPrecondition},
		{"a method Firestore has that the simulator does not serve yet", func() error {
			s, err := raw.Listen(ctx)
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		}, codes.Unimplemented},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.want) })
	}
}

// TestRawDocumentRPCs covers the document RPCs the SDK does not use
// (CreateDocument with an automatic id, UpdateDocument with a mask).
func TestRawDocumentRPCs(t *testing.T) {
	srv := startServer(t, Config{})
	raw, ctx := rawClient(t, srv.Addr())
	root := "projects/rawdocs/databases/(default)/documents"
	d, err := raw.CreateDocument(ctx, &pb.CreateDocumentRequest{Parent: root, CollectionId: "c",
		Document: &pb.Document{Fields: map[string]*pb.Value{"a": {ValueType: &pb.Value_StringValue{StringValue: "x"}}, "b": {ValueType: &pb.Value_BooleanValue{BooleanValue: true}}}}})
	wantCode(t, err, codes.OK)
	if id := d.Name[strings.LastIndexByte(d.Name, '/')+1:]; len(id) != 20 {
		t.Fatalf("automatic id %q is not 20 characters", id)
	}
	u, err := raw.UpdateDocument(ctx, &pb.UpdateDocumentRequest{Document: &pb.Document{Name: d.Name}, UpdateMask: &pb.DocumentMask{FieldPaths: []string{"a"}},
		Mask: &pb.DocumentMask{FieldPaths: []string{"b"}}, CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_Exists{Exists: true}}})
	wantCode(t, err, codes.OK)
	if len(u.Fields) != 1 || !u.Fields["b"].GetBooleanValue() {
		t.Fatalf("returned fields %v, want only b (the response mask)", u.Fields)
	}
	got, err := raw.GetDocument(ctx, &pb.GetDocumentRequest{Name: d.Name})
	wantCode(t, err, codes.OK)
	if _, ok := got.Fields["a"]; ok || len(got.Fields) != 1 {
		t.Fatalf("fields %v: masked a not deleted", got.Fields)
	}
	err = raw.DeleteDocument(ctx, &pb.DeleteDocumentRequest{Name: d.Name, CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: got.UpdateTime}}})
	wantCode(t, err, codes.OK)
	_, err = raw.GetDocument(ctx, &pb.GetDocumentRequest{Name: d.Name})
	wantCode(t, err, codes.NotFound)
}

// TestRESTNotFound proves a plain HTTP request no service claims gets
// Google's JSON error.
func TestRESTNotFound(t *testing.T) {
	srv := startServer(t, Config{})
	resp, err := http.Get(srv.URL() + "/v1/projects/p/nothing")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), `"status":"NOT_FOUND"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// TestRefusesNonLoopback proves the simulator does not listen beyond this
// machine unless allowed.
func TestRefusesNonLoopback(t *testing.T) {
	s, err := New(Config{Addr: "0.0.0.0:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(); err == nil {
		t.Fatal("listened on every interface")
	}
}
