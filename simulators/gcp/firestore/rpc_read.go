package firestore

import (
	"context"
	"slices"
	"strings"
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// maskPaths is a DocumentMask's paths: nil (every field) without a mask,
// empty (no field) for a mask that names none.
func maskPaths(m *pb.DocumentMask) []string {
	if m == nil {
		return nil
	}
	return append([]string{}, m.FieldPaths...)
}

// masked is d with only the fields in paths (nil: d itself).
func masked(d *pb.Document, paths []string) (*pb.Document, error) {
	if paths == nil {
		return d, nil
	}
	fields, err := project(d.Fields, paths)
	if err != nil {
		return nil, err
	}
	return &pb.Document{Name: d.Name, Fields: fields, CreateTime: d.CreateTime, UpdateTime: d.UpdateTime}, nil
}

// readTime is the time a read sees: now, and never before the last commit.
func (s *Service) readTime(st *state) *timestamppb.Timestamp {
	t := s.st.Now().UTC().Truncate(time.Microsecond)
	if t.Before(st.last) {
		t = st.last
	}
	return timestamppb.New(t)
}

func (s *Service) GetDocument(_ context.Context, req *pb.GetDocumentRequest) (*pb.Document, error) {
	if err := checkDocName(req.Name); err != nil {
		return nil, err
	}
	database, _, _ := splitName(req.Name)
	var d *pb.Document
	err := s.locked(func(st *state) error {
		t, _, err := st.reader(database, req.GetTransaction(), nil, req.GetReadTime())
		if err != nil {
			return err
		}
		d = st.docs[req.Name]
		t.noteRead(req.Name, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errorf(codes.NotFound, "Document (%s) not found.", req.Name)
	}
	return masked(d, maskPaths(req.Mask))
}

func (s *Service) BatchGetDocuments(req *pb.BatchGetDocumentsRequest, stream pb.Firestore_BatchGetDocumentsServer) error {
	if err := checkDatabase(req.Database); err != nil {
		return err
	}
	for _, name := range req.Documents {
		if err := checkDocName(name); err != nil {
			return err
		}
		if !inDatabase(name, req.Database) {
			return errorf(codes.InvalidArgument, "Document %q is not in database %q", name, req.Database)
		}
	}
	paths := maskPaths(req.Mask)
	var out []*pb.BatchGetDocumentsResponse
	err := s.locked(func(st *state) error {
		t, newID, err := st.reader(req.Database, req.GetTransaction(), req.GetNewTransaction(), req.GetReadTime())
		if err != nil {
			return err
		}
		rt := s.readTime(st)
		for _, name := range req.Documents {
			d := st.docs[name]
			t.noteRead(name, d)
			r := &pb.BatchGetDocumentsResponse{ReadTime: rt, Result: &pb.BatchGetDocumentsResponse_Missing{Missing: name}}
			if d != nil {
				if d, err = masked(d, paths); err != nil {
					return err
				}
				r.Result = &pb.BatchGetDocumentsResponse_Found{Found: d}
			}
			out = append(out, r)
		}
		if newID != nil {
			out = append([]*pb.BatchGetDocumentsResponse{{Transaction: newID, ReadTime: rt}}, out...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return sendAll(stream, out)
}

func sendAll[T any](stream interface{ Send(*T) error }, msgs []*T) error {
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			return err
		}
	}
	return nil
}

// queryRead is what a query read returned.
type queryRead struct {
	docs     []*pb.Document
	newTxn   []byte
	readTime *timestamppb.Timestamp
}

// runQuery runs a structured query under parent with a read's consistency
// selector, and records it in the transaction it reads in.
func (s *Service) runQuery(parent string, sq *pb.StructuredQuery, txnID []byte, newTxn *pb.TransactionOptions, readTime *timestamppb.Timestamp) (*queryRead, error) {
	database, _, ok := splitName(parent)
	if !ok {
		return nil, checkParent(parent)
	}
	if sq == nil {
		return nil, errorf(codes.InvalidArgument, "A structured query is required.")
	}
	q, err := compileQuery(parent, sq)
	if err != nil {
		return nil, err
	}
	r := &queryRead{}
	err = s.locked(func(st *state) error {
		t, newID, err := st.reader(database, txnID, newTxn, readTime)
		if err != nil {
			return err
		}
		if r.docs, err = q.run(st.docs); err != nil {
			return err
		}
		t.noteQuery(q, r.docs)
		r.newTxn, r.readTime = newID, s.readTime(st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) RunQuery(req *pb.RunQueryRequest, stream pb.Firestore_RunQueryServer) error {
	r, err := s.runQuery(req.Parent, req.GetStructuredQuery(), req.GetTransaction(), req.GetNewTransaction(), req.GetReadTime())
	if err != nil {
		return err
	}
	var out []*pb.RunQueryResponse
	for _, d := range r.docs {
		out = append(out, &pb.RunQueryResponse{Document: d, ReadTime: r.readTime})
	}
	if len(out) == 0 {
		out = append(out, &pb.RunQueryResponse{ReadTime: r.readTime})
	}
	out[0].Transaction = r.newTxn
	out[len(out)-1].ContinuationSelector = &pb.RunQueryResponse_Done{Done: true}
	return sendAll(stream, out)
}

func (s *Service) ListDocuments(_ context.Context, req *pb.ListDocumentsRequest) (*pb.ListDocumentsResponse, error) {
	if err := checkParent(req.Parent); err != nil {
		return nil, err
	}
	if req.CollectionId != "" {
		if err := checkCollectionID(req.CollectionId); err != nil {
			return nil, err
		}
	}
	if req.OrderBy != "" && req.OrderBy != nameField {
		return nil, errorf(codes.InvalidArgument, "ListDocuments can only be ordered by %s, not %q", nameField, req.OrderBy)
	}
	database, _, _ := splitName(req.Parent)
	paths := maskPaths(req.Mask)
	resp := &pb.ListDocumentsResponse{}
	err := s.locked(func(st *state) error {
		t, _, err := st.reader(database, req.GetTransaction(), nil, req.GetReadTime())
		if err != nil {
			return err
		}
		// Each document below parent names the document of parent's
		// collections it lies in: that document itself, or a missing one
		// with subcollections.
		found := map[string]bool{}
		for name := range st.docs {
			rest, ok := strings.CutPrefix(name, req.Parent+"/")
			if !ok {
				continue
			}
			seg := strings.SplitN(rest, "/", 3)
			if req.CollectionId == "" || seg[0] == req.CollectionId {
				found[req.Parent+"/"+seg[0]+"/"+seg[1]] = true
			}
		}
		names := sortedKeys(found)
		slices.SortFunc(names, compareNames)
		if req.PageToken != "" {
			i, _ := slices.BinarySearchFunc(names, req.PageToken, compareNames)
			for i < len(names) && names[i] == req.PageToken {
				i++
			}
			names = names[i:]
		}
		for _, name := range names {
			if req.PageSize > 0 && len(resp.Documents) == int(req.PageSize) {
				resp.NextPageToken = resp.Documents[len(resp.Documents)-1].Name
				break
			}
			d := st.docs[name]
			t.noteRead(name, d)
			if d == nil {
				if req.ShowMissing {
					resp.Documents = append(resp.Documents, &pb.Document{Name: name})
				}
				continue
			}
			if d, err = masked(d, paths); err != nil {
				return err
			}
			resp.Documents = append(resp.Documents, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Service) ListCollectionIds(_ context.Context, req *pb.ListCollectionIdsRequest) (*pb.ListCollectionIdsResponse, error) {
	if err := checkParent(req.Parent); err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	err := s.locked(func(st *state) error {
		if err := st.checkReadTime(req.GetReadTime()); err != nil {
			return err
		}
		for name := range st.docs {
			if rest, ok := strings.CutPrefix(name, req.Parent+"/"); ok {
				id, _, _ := strings.Cut(rest, "/")
				ids[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ListCollectionIdsResponse{}
	for _, id := range sortedKeys(ids) {
		if id <= req.PageToken {
			continue
		}
		if req.PageSize > 0 && len(resp.CollectionIds) == int(req.PageSize) {
			resp.NextPageToken = resp.CollectionIds[len(resp.CollectionIds)-1]
			break
		}
		resp.CollectionIds = append(resp.CollectionIds, id)
	}
	return resp, nil
}
