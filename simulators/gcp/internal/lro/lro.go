// Package lro holds the google.longrunning operations a GCP service's
// mutations return and serves the Operations API over them. A simulated
// mutation that has nothing left to reconcile when it returns creates
// its operation done (Done), with the resource (or Empty) as response;
// one with work left (a build) starts it (Start) and finishes it when
// the work ends (Finish). Operations persist in the service's state
// file. Mux serves several
// services' operations on one gRPC server, as Google's front end does.
package lro

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
	"sync"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Store is one service's operations.
type Store struct {
	lropb.UnimplementedOperationsServer
	kv     *kv.Store
	bucket string
	mu     sync.Mutex
	ops    map[string]*lropb.Operation
}

// Open loads the operations kept in the sub-bucket of store (which the
// caller opened with it).
func Open(store *kv.Store, bucket string) (*Store, error) {
	s := &Store{kv: store, bucket: bucket, ops: map[string]*lropb.Operation{}}
	if err := protokv.LoadMap(store, bucket, s.ops); err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	return s, nil
}

// NewID is a random UUID, as Google names operations and resources.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Done records a finished operation under location (projects/P/locations/L,
// or a Firestore database, projects/P/databases/D)
// with meta as its metadata and resp as its response.
func (s *Store) Done(location string, meta, resp proto.Message) (*lropb.Operation, error) {
	m, err := anypb.New(meta)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	r, err := anypb.New(resp)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	op := &lropb.Operation{Name: location + "/operations/" + NewID(), Metadata: m, Done: true, Result: &lropb.Operation_Response{Response: r}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := protokv.Save(s.kv, s.bucket, map[string]*lropb.Operation{op.Name: op}); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	s.ops[op.Name] = op
	return proto.Clone(op).(*lropb.Operation), nil
}

// Start records an unfinished operation under location with meta as its
// metadata, for Finish to complete when the work is done.
func (s *Store) Start(location string, meta proto.Message) (*lropb.Operation, error) {
	m, err := anypb.New(meta)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	op := &lropb.Operation{Name: location + "/operations/" + NewID(), Metadata: m}
	return op, s.put(op)
}

// Finish completes operation name with meta as its metadata and resp as
// its response, or failure (a gRPC status error) as its error.
func (s *Store) Finish(name string, meta, resp proto.Message, failure error) error {
	op := &lropb.Operation{Name: name, Done: true}
	var err error
	if op.Metadata, err = anypb.New(meta); err != nil {
		return err
	}
	if failure != nil {
		op.Result = &lropb.Operation_Error{Error: status.Convert(failure).Proto()}
	} else {
		r, err := anypb.New(resp)
		if err != nil {
			return err
		}
		op.Result = &lropb.Operation_Response{Response: r}
	}
	return s.put(op)
}

func (s *Store) put(op *lropb.Operation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := protokv.Save(s.kv, s.bucket, map[string]*lropb.Operation{op.Name: op}); err != nil {
		return status.Error(codes.Internal, err.Error())
	}
	s.ops[op.Name] = proto.Clone(op).(*lropb.Operation)
	return nil
}

var (
	// An operation is under a location, or a Firestore database.
	opRE       = regexp.MustCompile(`^projects/[^/]+/(locations|databases)/[^/]+/operations/[^/]+$`)
	locationRE = regexp.MustCompile(`^projects/[^/]+/(locations|databases)/[^/]+$`)
)

func checkName(re *regexp.Regexp, name, form string) error {
	if !re.MatchString(name) {
		return status.Errorf(codes.InvalidArgument, "Invalid resource name %q: expected %s", name, form)
	}
	return nil
}

const opForm = "projects/{project}/locations/{location}/operations/{operation}"

func notFound(name string) error {
	return status.Errorf(codes.NotFound, "Operation %s was not found.", name)
}

// GetOperation is google.longrunning.Operations.GetOperation.
func (s *Store) GetOperation(_ context.Context, req *lropb.GetOperationRequest) (*lropb.Operation, error) {
	if err := checkName(opRE, req.Name, opForm); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.ops[req.Name]
	if op == nil {
		return nil, notFound(req.Name)
	}
	return proto.Clone(op).(*lropb.Operation), nil
}

// ListOperations is google.longrunning.Operations.ListOperations, of one
// location.
func (s *Store) ListOperations(_ context.Context, req *lropb.ListOperationsRequest) (*lropb.ListOperationsResponse, error) {
	if err := checkName(locationRE, req.Name, "projects/{project}/locations/{location}"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ops, next, err := pages.Clones(s.ops, func(name string) bool { return strings.HasPrefix(name, req.Name+"/operations/") }, req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	return &lropb.ListOperationsResponse{Operations: ops, NextPageToken: next}, nil
}

// DeleteOperation is google.longrunning.Operations.DeleteOperation.
func (s *Store) DeleteOperation(_ context.Context, req *lropb.DeleteOperationRequest) (*emptypb.Empty, error) {
	if err := checkName(opRE, req.Name, opForm); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops[req.Name] == nil {
		return nil, notFound(req.Name)
	}
	if err := protokv.Save(s.kv, s.bucket, map[string]*lropb.Operation{req.Name: nil}); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	delete(s.ops, req.Name)
	return &emptypb.Empty{}, nil
}

// Mux serves the operations of several services on one gRPC server: an
// operation is the first service's that knows it.
type Mux struct {
	lropb.UnimplementedOperationsServer
	Servers []lropb.OperationsServer
}

// GetOperation asks each service in turn.
func (m Mux) GetOperation(ctx context.Context, req *lropb.GetOperationRequest) (*lropb.Operation, error) {
	var err error
	for _, s := range m.Servers {
		var op *lropb.Operation
		if op, err = s.GetOperation(ctx, req); status.Code(err) != codes.NotFound {
			return op, err
		}
	}
	return nil, err
}

// DeleteOperation asks each service in turn.
func (m Mux) DeleteOperation(ctx context.Context, req *lropb.DeleteOperationRequest) (*emptypb.Empty, error) {
	var err error
	for _, s := range m.Servers {
		var out *emptypb.Empty
		if out, err = s.DeleteOperation(ctx, req); status.Code(err) != codes.NotFound {
			return out, err
		}
	}
	return nil, err
}

// ListOperations lists the first service's operations that has any in
// the location: the services name their operations apart, and a client
// lists one service's.
func (m Mux) ListOperations(ctx context.Context, req *lropb.ListOperationsRequest) (*lropb.ListOperationsResponse, error) {
	var first *lropb.ListOperationsResponse
	for _, s := range m.Servers {
		out, err := s.ListOperations(ctx, req)
		if err != nil {
			return nil, err
		}
		if len(out.Operations) > 0 {
			return out, nil
		}
		if first == nil {
			first = out
		}
	}
	return first, nil
}
