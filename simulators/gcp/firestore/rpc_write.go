package firestore

import (
	"context"
	"crypto/rand"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	gstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func (s *Service) Commit(_ context.Context, req *pb.CommitRequest) (*pb.CommitResponse, error) {
	if err := checkDatabase(req.Database); err != nil {
		return nil, err
	}
	for _, w := range req.Writes {
		if err := checkWrite(w, req.Database); err != nil {
			return nil, err
		}
	}
	resp := &pb.CommitResponse{}
	err := s.locked(func(st *state) error {
		if req.Transaction != nil {
			t, err := st.lookup(req.Database, req.Transaction)
			if err != nil {
				return err
			}
			if t.readOnly && len(req.Writes) > 0 {
				return errorf(codes.InvalidArgument, "Cannot modify entities in a read-only transaction.")
			}
			delete(st.txns, string(req.Transaction))
			if !t.valid(st) {
				return errContention()
			}
		}
		at := st.commitTime(s.st.Now())
		b := newBatch(st)
		for _, w := range req.Writes {
			r, err := b.apply(w, at)
			if err != nil {
				return err
			}
			resp.WriteResults = append(resp.WriteResults, r)
		}
		resp.CommitTime = timestamppb.New(at)
		return b.commit()
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// BatchWrite applies each write on its own: one failing does not stop the
// others, and each has its own status.
func (s *Service) BatchWrite(_ context.Context, req *pb.BatchWriteRequest) (*pb.BatchWriteResponse, error) {
	if err := checkDatabase(req.Database); err != nil {
		return nil, err
	}
	resp := &pb.BatchWriteResponse{}
	err := s.locked(func(st *state) error {
		at := st.commitTime(s.st.Now())
		b := newBatch(st)
		for _, w := range req.Writes {
			r, err := (*pb.WriteResult)(nil), checkWrite(w, req.Database)
			if err == nil {
				r, err = b.apply(w, at)
			}
			if err != nil {
				resp.WriteResults = append(resp.WriteResults, &pb.WriteResult{})
				resp.Status = append(resp.Status, gstatus.Convert(err).Proto())
				continue
			}
			resp.WriteResults = append(resp.WriteResults, r)
			resp.Status = append(resp.Status, &status.Status{})
		}
		return b.commit()
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Service) BeginTransaction(_ context.Context, req *pb.BeginTransactionRequest) (*pb.BeginTransactionResponse, error) {
	if err := checkDatabase(req.Database); err != nil {
		return nil, err
	}
	if rt := req.GetOptions().GetReadOnly().GetReadTime(); rt != nil {
		if err := s.locked(func(st *state) error { return st.checkReadTime(rt) }); err != nil {
			return nil, err
		}
	}
	var id []byte
	s.locked(func(st *state) error {
		id = st.begin(req.Database, req.Options)
		return nil
	})
	return &pb.BeginTransactionResponse{Transaction: id}, nil
}

// Rollback ends a transaction; rolling back one already ended succeeds,
// as on the emulator.
func (s *Service) Rollback(_ context.Context, req *pb.RollbackRequest) (*emptypb.Empty, error) {
	if err := checkDatabase(req.Database); err != nil {
		return nil, err
	}
	if len(req.Transaction) != txnIDLen {
		return nil, errorf(codes.InvalidArgument, "Invalid transaction.")
	}
	s.locked(func(st *state) error {
		delete(st.txns, string(req.Transaction))
		return nil
	})
	return &emptypb.Empty{}, nil
}

// commitOne commits a single write outside any transaction and returns
// the document it leaves (nil after a delete).
func (s *Service) commitOne(database string, w *pb.Write) (*pb.Document, error) {
	if err := checkWrite(w, database); err != nil {
		return nil, err
	}
	var d *pb.Document
	err := s.locked(func(st *state) error {
		b := newBatch(st)
		if _, err := b.apply(w, st.commitTime(s.st.Now())); err != nil {
			return err
		}
		if err := b.commit(); err != nil {
			return err
		}
		d = st.docs[writeName(w)] // nil after a delete
		return nil
	})
	return d, err
}

func (s *Service) CreateDocument(_ context.Context, req *pb.CreateDocumentRequest) (*pb.Document, error) {
	if err := checkParent(req.Parent); err != nil {
		return nil, err
	}
	if err := checkCollectionID(req.CollectionId); err != nil {
		return nil, err
	}
	if req.GetDocument().GetName() != "" {
		return nil, errorf(codes.InvalidArgument, "document.name must not be set")
	}
	id := req.DocumentId
	if id == "" {
		id = autoID()
	}
	doc := &pb.Document{Name: req.Parent + "/" + req.CollectionId + "/" + id, Fields: req.GetDocument().GetFields()}
	database, _, _ := splitName(req.Parent)
	d, err := s.commitOne(database, &pb.Write{Operation: &pb.Write_Update{Update: doc},
		CurrentDocument: &pb.Precondition{ConditionType: &pb.Precondition_Exists{Exists: false}}})
	if err != nil {
		return nil, err
	}
	return masked(d, maskPaths(req.Mask))
}

func (s *Service) UpdateDocument(_ context.Context, req *pb.UpdateDocumentRequest) (*pb.Document, error) {
	if err := checkDocName(req.GetDocument().GetName()); err != nil {
		return nil, err
	}
	database, _, _ := splitName(req.Document.Name)
	d, err := s.commitOne(database, &pb.Write{Operation: &pb.Write_Update{Update: req.Document},
		UpdateMask: req.UpdateMask, CurrentDocument: req.CurrentDocument})
	if err != nil {
		return nil, err
	}
	return masked(d, maskPaths(req.Mask))
}

func (s *Service) DeleteDocument(_ context.Context, req *pb.DeleteDocumentRequest) (*emptypb.Empty, error) {
	if err := checkDocName(req.Name); err != nil {
		return nil, err
	}
	database, _, _ := splitName(req.Name)
	if _, err := s.commitOne(database, &pb.Write{Operation: &pb.Write_Delete{Delete: req.Name}, CurrentDocument: req.CurrentDocument}); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// autoID is a document id as the clients make them: 20 letters and digits.
func autoID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
