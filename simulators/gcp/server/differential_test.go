package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	v1 "cloud.google.com/go/firestore/apiv1"
	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// side is one Firestore (the simulator or the emulator) as the
// differential test drives it: the SDK, the raw API, a project of its own.
type side struct {
	c    *firestore.Client
	raw  *v1.Client
	rctx context.Context
	db   string
	// created is c/d's creation time, for the steps that need it.
	created time.Time
}

func (s *side) root() string { return s.db + "/documents" }

func (s *side) rawCommit(w ...*pb.Write) (*pb.CommitResponse, error) {
	return s.raw.Commit(s.rctx, &pb.CommitRequest{Database: s.db, Writes: w})
}

// diffStep is one operation run on both sides: its outcome is the status
// code and what it returned, made comparable (times become relations
// between times, random ids go), which must be equal on both sides.
type diffStep struct {
	name string
	run  func(ctx context.Context, s *side) (string, error)
}

func fields(m map[string]any) string { return fmt.Sprint(m) }

func getData(ctx context.Context, s *side, path string) (string, error) {
	snap, err := s.c.Doc(path).Get(ctx)
	if err != nil {
		return "", err
	}
	return fields(snap.Data()), nil
}

func intValue(n int64) *pb.Value {
	return &pb.Value{ValueType: &pb.Value_IntegerValue{IntegerValue: n}}
}

func rawQuery(s *side, q *pb.StructuredQuery) (string, error) {
	stream, err := s.raw.RunQuery(s.rctx, &pb.RunQueryRequest{Parent: s.root(), QueryType: &pb.RunQueryRequest_StructuredQuery{StructuredQuery: q}})
	if err != nil {
		return "", err
	}
	var names []string
	for {
		r, err := stream.Recv()
		if err != nil {
			if err.Error() == "EOF" {
				return strings.Join(names, ","), nil
			}
			return "", err
		}
		if r.Document != nil {
			names = append(names, r.Document.Name[len(s.root()):])
		}
	}
}

var diffSteps = []diffStep{
	{"create c/d", func(ctx context.Context, s *side) (string, error) {
		wr, err := s.c.Doc("c/d").Create(ctx, map[string]any{"n": 1, "s": "x", "f": 2.5, "b": true, "nil": nil, "arr": []any{1, "a"}, "m": map[string]any{"k": "v"}})
		if err == nil {
			s.created = wr.UpdateTime
		}
		return "", err
	}},
	{"get c/d: fields, create time == update time", func(ctx context.Context, s *side) (string, error) {
		snap, err := s.c.Doc("c/d").Get(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(fields(snap.Data()), " ", snap.CreateTime.Equal(snap.UpdateTime), " ", snap.UpdateTime.Equal(s.created)), nil
	}},
	{"create existing", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Doc("c/d").Create(ctx, map[string]any{"n": 2})
		return "", err
	}},
	{"update missing", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Doc("c/missing").Update(ctx, []firestore.Update{{Path: "n", Value: 1}})
		return "", err
	}},
	{"get missing", func(ctx context.Context, s *side) (string, error) {
		snap, err := s.c.Doc("c/missing").Get(ctx)
		return fmt.Sprint(snap != nil && snap.Exists()), err
	}},
	{"no-op set keeps the update time", func(ctx context.Context, s *side) (string, error) {
		wr, err := s.c.Doc("c/d").Set(ctx, map[string]any{"n": 1, "s": "x", "f": 2.5, "b": true, "nil": nil, "arr": []any{1, "a"}, "m": map[string]any{"k": "v"}})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(wr.UpdateTime.Equal(s.created)), nil
	}},
	{"update with a stale update time", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Doc("c/d").Update(ctx, []firestore.Update{{Path: "n", Value: 2}}, firestore.LastUpdateTime(s.created.Add(-time.Microsecond)))
		return "", err
	}},
	{"update with the current update time", func(ctx context.Context, s *side) (string, error) {
		wr, err := s.c.Doc("c/d").Update(ctx, []firestore.Update{{Path: "n", Value: 2}}, firestore.LastUpdateTime(s.created))
		if err != nil {
			return "", err
		}
		return fmt.Sprint(wr.UpdateTime.After(s.created)), nil
	}},
	{"delete missing with exists", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Doc("c/missing").Delete(ctx, firestore.Exists)
		return "", err
	}},
	{"delete missing", func(ctx context.Context, s *side) (string, error) {
		wr, err := s.c.Doc("c/missing").Delete(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprint("update time set: ", !wr.UpdateTime.IsZero()), nil
	}},
	{"set with merge, then get", func(ctx context.Context, s *side) (string, error) {
		if _, err := s.c.Doc("c/d").Set(ctx, map[string]any{"k": "v", "m": map[string]any{"j": 1}}, firestore.MergeAll); err != nil {
			return "", err
		}
		return getData(ctx, s, "c/d")
	}},
	{"update nested, quoted and deleted fields, then get", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Doc("c/d").Update(ctx, []firestore.Update{{Path: "a.b", Value: "deep"}, {Path: "s", Value: firestore.Delete}, {FieldPath: firestore.FieldPath{"x.y"}, Value: 7}})
		if err != nil {
			return "", err
		}
		return getData(ctx, s, "c/d")
	}},
	{"increments, then get", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Doc("c/d").Update(ctx, []firestore.Update{{Path: "n", Value: firestore.Increment(4)}, {Path: "f", Value: firestore.Increment(1)}, {Path: "new", Value: firestore.Increment(0.5)}, {Path: "s2", Value: "t"}})
		if err != nil {
			return "", err
		}
		return getData(ctx, s, "c/d")
	}},
	{"increment of a string field replaces it", func(ctx context.Context, s *side) (string, error) {
		if _, err := s.c.Doc("c/d").Update(ctx, []firestore.Update{{Path: "s2", Value: firestore.Increment(3)}}); err != nil {
			return "", err
		}
		return getData(ctx, s, "c/d")
	}},
	{"server timestamp: milliseconds, at most the update time", func(ctx context.Context, s *side) (string, error) {
		wr, err := s.c.Doc("c/ts").Set(ctx, map[string]any{"at": firestore.ServerTimestamp})
		if err != nil {
			return "", err
		}
		snap, err := s.c.Doc("c/ts").Get(ctx)
		if err != nil {
			return "", err
		}
		at := snap.Data()["at"].(time.Time)
		return fmt.Sprint("milliseconds: ", at.Equal(at.Truncate(time.Millisecond)), ", at most the update time: ", !at.After(wr.UpdateTime), ", within 1s: ", wr.UpdateTime.Sub(at) < time.Second), nil
	}},
	{"array union and remove, then get", func(ctx context.Context, s *side) (string, error) {
		d := s.c.Doc("c/arr")
		if _, err := d.Set(ctx, map[string]any{"t": []any{"a", "b", "a", 1}}); err != nil {
			return "", err
		}
		if _, err := d.Update(ctx, []firestore.Update{{Path: "t", Value: firestore.ArrayUnion("b", "c", 1.0)}}); err != nil {
			return "", err
		}
		if _, err := d.Update(ctx, []firestore.Update{{Path: "t", Value: firestore.ArrayRemove("a")}, {Path: "u", Value: firestore.ArrayUnion("z")}}); err != nil {
			return "", err
		}
		return getData(ctx, s, "c/arr")
	}},
	{"a batch with a failing create", func(ctx context.Context, s *side) (string, error) {
		_, err := s.c.Batch().Set(s.c.Doc("c/other"), map[string]any{"v": 1}).Create(s.c.Doc("c/d"), map[string]any{"n": 9}).Commit(ctx)
		_, gerr := s.c.Doc("c/other").Get(ctx)
		return fmt.Sprint("other: ", status.Code(gerr)), err
	}},
	{"bulk writer: one good create, one duplicate", func(ctx context.Context, s *side) (string, error) {
		bw := s.c.BulkWriter(ctx)
		ok, err1 := bw.Create(s.c.Doc("c/bulk"), map[string]any{"v": 1})
		dup, err2 := bw.Create(s.c.Doc("c/d"), map[string]any{"v": 1})
		if err := errors.Join(err1, err2); err != nil {
			return "", err
		}
		bw.End()
		_, e1 := ok.Results()
		_, e2 := dup.Results()
		return fmt.Sprint(status.Code(e1), " ", status.Code(e2)), nil
	}},
	{"get all: missing and found, in order", func(ctx context.Context, s *side) (string, error) {
		snaps, err := s.c.GetAll(ctx, []*firestore.DocumentRef{s.c.Doc("c/missing"), s.c.Doc("c/bulk")})
		if err != nil {
			return "", err
		}
		var out []string
		for _, snap := range snaps {
			out = append(out, fmt.Sprint(snap.Ref.ID, snap.Exists(), snap.Data()))
		}
		return strings.Join(out, " "), nil
	}},
	{"document refs include a missing parent of a subcollection", func(ctx context.Context, s *side) (string, error) {
		if _, err := s.c.Doc("c/ghost/sub/x").Set(ctx, map[string]any{"v": 1}); err != nil {
			return "", err
		}
		refs, err := s.c.Collection("c").DocumentRefs(ctx).GetAll()
		var ids []string
		for _, r := range refs {
			ids = append(ids, r.ID)
		}
		return strings.Join(ids, ","), err
	}},
	{"collections of a document", func(ctx context.Context, s *side) (string, error) {
		colls, err := s.c.Doc("c/ghost").Collections(ctx).GetAll()
		var ids []string
		for _, c := range colls {
			ids = append(ids, c.ID)
		}
		return strings.Join(ids, ","), err
	}},
	{"root collections", func(ctx context.Context, s *side) (string, error) {
		colls, err := s.c.Collections(ctx).GetAll()
		var ids []string
		for _, c := range colls {
			ids = append(ids, c.ID)
		}
		return strings.Join(ids, ","), err
	}},
	{"transaction: read, write two documents", func(ctx context.Context, s *side) (string, error) {
		err := s.c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			snap, err := tx.Get(s.c.Doc("c/bulk"))
			if err != nil {
				return err
			}
			return errors.Join(tx.Update(s.c.Doc("c/bulk"), []firestore.Update{{Path: "v", Value: snap.Data()["v"].(int64) + 1}}),
				tx.Create(s.c.Doc("c/t1"), map[string]any{"v": 1}))
		})
		if err != nil {
			return "", err
		}
		a, _ := getData(ctx, s, "c/bulk")
		b, _ := getData(ctx, s, "c/t1")
		return a + " " + b, nil
	}},
	{"transaction: a query and a write", func(ctx context.Context, s *side) (string, error) {
		var n int
		err := s.c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			docs, err := tx.Documents(s.c.Collection("c").Where("v", ">=", 1)).GetAll()
			n = len(docs)
			if err != nil {
				return err
			}
			return tx.Set(s.c.Doc("c/count"), map[string]any{"n": len(docs)})
		})
		return fmt.Sprint(n), err
	}},
	{"transaction: a failing function writes nothing", func(ctx context.Context, s *side) (string, error) {
		err := s.c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			tx.Set(s.c.Doc("c/never"), map[string]any{"n": 1})
			return errors.New("boom")
		})
		_, gerr := s.c.Doc("c/never").Get(ctx)
		return fmt.Sprint(err, " ", status.Code(gerr)), nil
	}},
	{"transaction: read-only cannot write", func(ctx context.Context, s *side) (string, error) {
		return "", s.c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			return tx.Set(s.c.Doc("c/never"), map[string]any{"n": 1})
		}, firestore.ReadOnly)
	}},
	{"transactions: four concurrent increments all count", func(ctx context.Context, s *side) (string, error) {
		if _, err := s.c.Doc("c/counter").Set(ctx, map[string]any{"n": 0}); err != nil {
			return "", err
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.c.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
					snap, err := tx.Get(s.c.Doc("c/counter"))
					if err != nil {
						return err
					}
					return tx.Update(s.c.Doc("c/counter"), []firestore.Update{{Path: "n", Value: snap.Data()["n"].(int64) + 1}})
				})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return "", err
		}
		return getData(ctx, s, "c/counter")
	}},
	{"two transactions read and write one document: one is ABORTED", func(ctx context.Context, s *side) (string, error) {
		name := s.root() + "/c/counter"
		var txs [2][]byte
		for i := range txs {
			bt, err := s.raw.BeginTransaction(s.rctx, &pb.BeginTransactionRequest{Database: s.db})
			if err != nil {
				return "", err
			}
			txs[i] = bt.Transaction
			if _, err := s.raw.GetDocument(s.rctx, &pb.GetDocumentRequest{Name: name, ConsistencySelector: &pb.GetDocumentRequest_Transaction{Transaction: txs[i]}}); err != nil {
				return "", err
			}
		}
		write := []*pb.Write{{Operation: &pb.Write_Update{Update: &pb.Document{Name: name, Fields: map[string]*pb.Value{"n": intValue(100)}}}}}
		var codes []string
		for _, tx := range txs {
			_, err := s.raw.Commit(s.rctx, &pb.CommitRequest{Database: s.db, Transaction: tx, Writes: write})
			codes = append(codes, status.Code(err).String())
		}
		sort.Strings(codes)
		return strings.Join(codes, ","), nil
	}},
	{"commit in a malformed transaction", func(ctx context.Context, s *side) (string, error) {
		_, err := s.raw.Commit(s.rctx, &pb.CommitRequest{Database: s.db, Transaction: []byte("nope")})
		return "", err
	}},
	{"commit a transaction twice; roll it back after", func(ctx context.Context, s *side) (string, error) {
		bt, err := s.raw.BeginTransaction(s.rctx, &pb.BeginTransactionRequest{Database: s.db})
		if err != nil {
			return "", err
		}
		if _, err := s.raw.Commit(s.rctx, &pb.CommitRequest{Database: s.db, Transaction: bt.Transaction}); err != nil {
			return "", err
		}
		_, err = s.raw.Commit(s.rctx, &pb.CommitRequest{Database: s.db, Transaction: bt.Transaction})
		rerr := s.raw.Rollback(s.rctx, &pb.RollbackRequest{Database: s.db, Transaction: bt.Transaction})
		return fmt.Sprint("rollback: ", status.Code(rerr)), err
	}},
	{"rollback of a malformed transaction", func(ctx context.Context, s *side) (string, error) {
		return "", s.raw.Rollback(s.rctx, &pb.RollbackRequest{Database: s.db, Transaction: []byte("nope")})
	}},
	{"read-only transaction commit with a write", func(ctx context.Context, s *side) (string, error) {
		bt, err := s.raw.BeginTransaction(s.rctx, &pb.BeginTransactionRequest{Database: s.db, Options: &pb.TransactionOptions{Mode: &pb.TransactionOptions_ReadOnly_{ReadOnly: &pb.TransactionOptions_ReadOnly{}}}})
		if err != nil {
			return "", err
		}
		_, err = s.raw.Commit(s.rctx, &pb.CommitRequest{Database: s.db, Transaction: bt.Transaction, Writes: []*pb.Write{{Operation: &pb.Write_Delete{Delete: s.root() + "/c/x"}}}})
		return "", err
	}},
	{"empty write", func(ctx context.Context, s *side) (string, error) {
		_, err := s.rawCommit(&pb.Write{})
		return "", err
	}},
	{"a collection's name as a document's", func(ctx context.Context, s *side) (string, error) {
		_, err := s.raw.GetDocument(s.rctx, &pb.GetDocumentRequest{Name: s.root() + "/c"})
		return "", err
	}},
	{"update time with nanoseconds", func(ctx context.Context, s *side) (string, error) {
		_, err := s.rawCommit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: s.root() + "/c/d"}},
			CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: &timestamppb.Timestamp{Seconds: 1, Nanos: 1}}}})
		return "", err
	}},
	{"update time precondition on a missing document", func(ctx context.Context, s *side) (string, error) {
		_, err := s.rawCommit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: s.root() + "/c/none"}},
			CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: &timestamppb.Timestamp{Seconds: 1}}}})
		return "", err
	}},
	{"transform results", func(ctx context.Context, s *side) (string, error) {
		r, err := s.rawCommit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: s.root() + "/c/tr"}}, UpdateMask: &pb.DocumentMask{},
			UpdateTransforms: []*pb.DocumentTransform_FieldTransform{
				{FieldPath: "i", TransformType: &pb.DocumentTransform_FieldTransform_Increment{Increment: intValue(5)}},
				{FieldPath: "mx", TransformType: &pb.DocumentTransform_FieldTransform_Maximum{Maximum: intValue(3)}},
				{FieldPath: "mn", TransformType: &pb.DocumentTransform_FieldTransform_Minimum{Minimum: intValue(-3)}},
				{FieldPath: "a", TransformType: &pb.DocumentTransform_FieldTransform_AppendMissingElements{AppendMissingElements: &pb.ArrayValue{Values: []*pb.Value{intValue(1)}}}},
				{FieldPath: "r", TransformType: &pb.DocumentTransform_FieldTransform_RemoveAllFromArray{RemoveAllFromArray: &pb.ArrayValue{Values: []*pb.Value{intValue(1)}}}},
			}})
		if err != nil {
			return "", err
		}
		var out []string
		for _, v := range r.WriteResults[0].TransformResults {
			out = append(out, fmt.Sprint(v))
		}
		data, err := getData(ctx, s, "c/tr")
		return strings.Join(out, ";") + " → " + data, err
	}},
	{"increment by a string", func(ctx context.Context, s *side) (string, error) {
		_, err := s.rawCommit(&pb.Write{Operation: &pb.Write_Update{Update: &pb.Document{Name: s.root() + "/c/d"}}, UpdateMask: &pb.DocumentMask{},
			UpdateTransforms: []*pb.DocumentTransform_FieldTransform{{FieldPath: "n", TransformType: &pb.DocumentTransform_FieldTransform_Increment{Increment: &pb.Value{ValueType: &pb.Value_StringValue{StringValue: "1"}}}}}})
		return "", err
	}},
	{"query with a negative limit", func(ctx context.Context, s *side) (string, error) {
		return rawQuery(s, &pb.StructuredQuery{From: []*pb.StructuredQuery_CollectionSelector{{CollectionId: "c"}}, Limit: wrapperspb.Int32(-1)})
	}},
	{"query with an empty in list", func(ctx context.Context, s *side) (string, error) {
		return rawQuery(s, &pb.StructuredQuery{From: []*pb.StructuredQuery_CollectionSelector{{CollectionId: "c"}}, Where: &pb.StructuredQuery_Filter{FilterType: &pb.StructuredQuery_Filter_FieldFilter{FieldFilter: &pb.StructuredQuery_FieldFilter{
			Field: &pb.StructuredQuery_FieldReference{FieldPath: "n"}, Op: pb.StructuredQuery_FieldFilter_IN, Value: &pb.Value{ValueType: &pb.Value_ArrayValue{ArrayValue: &pb.ArrayValue{}}}}}}})
	}},
	{"query with a cursor longer than its order", func(ctx context.Context, s *side) (string, error) {
		return rawQuery(s, &pb.StructuredQuery{From: []*pb.StructuredQuery_CollectionSelector{{CollectionId: "c"}}, StartAt: &pb.Cursor{Values: []*pb.Value{intValue(1), intValue(2)}}})
	}},
	{"query of all descendants of a document", func(ctx context.Context, s *side) (string, error) {
		return rawQuery(s, &pb.StructuredQuery{From: []*pb.StructuredQuery_CollectionSelector{{AllDescendants: true}}})
	}},
	{"create document with a name of its own", func(ctx context.Context, s *side) (string, error) {
		_, err := s.raw.CreateDocument(s.rctx, &pb.CreateDocumentRequest{Parent: s.root(), CollectionId: "c", Document: &pb.Document{Name: s.root() + "/c/x"}})
		return "", err
	}},
	{"get document with a field mask", func(ctx context.Context, s *side) (string, error) {
		d, err := s.raw.GetDocument(s.rctx, &pb.GetDocumentRequest{Name: s.root() + "/c/d", Mask: &pb.DocumentMask{FieldPaths: []string{"n", "m.k", "absent"}}})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(d.Fields), nil
	}},
	{"update document with a mask returns the masked result", func(ctx context.Context, s *side) (string, error) {
		d, err := s.raw.UpdateDocument(s.rctx, &pb.UpdateDocumentRequest{Document: &pb.Document{Name: s.root() + "/c/d", Fields: map[string]*pb.Value{"n": intValue(50)}},
			UpdateMask: &pb.DocumentMask{FieldPaths: []string{"n", "b"}}, Mask: &pb.DocumentMask{FieldPaths: []string{"n", "b"}}})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(d.Fields), nil
	}},
	{"delete document with a stale update time", func(ctx context.Context, s *side) (string, error) {
		return "", s.raw.DeleteDocument(s.rctx, &pb.DeleteDocumentRequest{Name: s.root() + "/c/d",
			CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_UpdateTime{UpdateTime: &timestamppb.Timestamp{Seconds: 1}}}})
	}},
}

// knownDifferences are steps whose outcomes differ on purpose: the
// simulator follows Firestore's documented behaviour where the emulator
// does not. Their differences are logged, not failed.
var knownDifferences = map[string]string{}

type outcome struct {
	data, code, msg string
}

func runStep(ctx context.Context, s *side, run func(context.Context, *side) (string, error)) outcome {
	data, err := run(ctx, s)
	st := status.Convert(err)
	return outcome{data: data, code: st.Code().String(), msg: st.Message()}
}

// TestDifferential runs the same SDK and API operations against the
// simulator and the real Firestore emulator and compares what each
// returns: status codes and results must match; messages are logged
// where they differ.
func TestDifferential(t *testing.T) {
	emuAddr := emulator(t)
	srv := startServer(t, Config{})
	project := newProject(t)
	sides := map[string]*side{}
	for name, addr := range map[string]string{"simulator": srv.Addr(), "emulator": emuAddr} {
		raw, rctx := rawClient(t, addr)
		sides[name] = &side{c: sdkClient(t, addr, project), raw: raw, rctx: rctx, db: "projects/" + project + "/databases/(default)"}
	}
	sim, ref := sides["simulator"], sides["emulator"]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	matched, compared := 0, 0
	check := func(name string, run func(context.Context, *side) (string, error)) {
		got, want := runStep(ctx, sim, run), runStep(ctx, ref, run)
		compared++
		if got.data != want.data || got.code != want.code {
			if why, ok := knownDifferences[name]; ok {
				t.Logf("KNOWN DIFFERENCE %s (%s):\n  simulator %s %q\n  emulator  %s %q", name, why, got.code, got.data, want.code, want.data)
				return
			}
			t.Errorf("DIFFERENCE %s:\n  simulator %s %q (%s)\n  emulator  %s %q (%s)", name, got.code, got.data, got.msg, want.code, want.data, want.msg)
			return
		}
		matched++
		if got.msg != want.msg {
			t.Logf("message differs, %s (%s):\n  simulator %q\n  emulator  %q", name, got.code, got.msg, want.msg)
		}
	}
	for _, st := range diffSteps {
		check(st.name, st.run)
	}
	for _, s := range sides {
		seedCities(t, s.c)
	}
	simQueries, refQueries := queryCases(sim.c), queryCases(ref.c)
	for i := range simQueries {
		sq, rq := simQueries[i].q, refQueries[i].q
		check("query: "+simQueries[i].name, func(ctx context.Context, s *side) (string, error) {
			q := sq
			if s == ref {
				q = rq
			}
			ids, err := queryIDs(q)
			return strings.Join(ids, ","), err
		})
	}
	simAggs, refAggs := aggregationCases(sim.c), aggregationCases(ref.c)
	for i := range simAggs {
		sa, ra := simAggs[i].q, refAggs[i].q
		check("aggregation: "+simAggs[i].name, func(ctx context.Context, s *side) (string, error) {
			q := sa
			if s == ref {
				q = ra
			}
			r, err := q.Get(ctx)
			return aggregationString(r), err
		})
	}
	t.Logf("differential: %d of %d operations match the emulator (must-match set: %d)", matched, compared, compared-len(knownDifferences))
}
