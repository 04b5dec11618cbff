// Package firestore simulates Cloud Firestore's gRPC API,
// google.firestore.v1.Firestore, as the Go SDK (cloud.google.com/go/firestore)
// speaks it to an emulator at FIRESTORE_EMULATOR_HOST: documents with
// preconditions, batched reads and writes, structured queries,
// transactions and field transforms. Like the emulator it serves any
// project and database and takes any credentials.
package firestore

import (
	"fmt"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Service is the Firestore API. Every operation holds the one lock for
// its whole evaluation, which makes each commit atomic and each read
// consistent.
type Service struct {
	pb.UnimplementedFirestoreServer
	st *service.State[*state]
}

// New loads the documents from b.DB (nil: memory only).
func New(b service.Base) (*Service, error) {
	st, err := service.Open(b, "", openState)
	if err != nil {
		return nil, fmt.Errorf("firestore: %w", err)
	}
	st.St.now = st.Now
	return &Service{st: st}, nil
}

// Register serves the API on g.
func (s *Service) Register(g *grpc.Server) { pb.RegisterFirestoreServer(g, s) }

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

// locked runs f holding the service's lock.
func (s *Service) locked(f func(st *state) error) error {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	return f(s.st.St)
}
