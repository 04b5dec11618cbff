package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"cloud.google.com/go/firestore"
	v1 "cloud.google.com/go/firestore/apiv1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// startServer runs a simulator on a free loopback port until the test ends.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

var projects atomic.Int64

// newProject names a project of its own for one test: the simulator and
// the emulator serve any project, so tests sharing one do not see each
// other's documents.
func newProject(t testing.TB) string {
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	if len(name) > 20 {
		name = name[:20]
	}
	return fmt.Sprintf("p%d-%s", projects.Add(1), strings.Trim(name, "-"))
}

// sdkClient is the Firestore SDK as an application uses it against an
// emulator: FIRESTORE_EMULATOR_HOST names host:port.
func sdkClient(t testing.TB, host, project string) *firestore.Client {
	t.Helper()
	t.Setenv("FIRESTORE_EMULATOR_HOST", host)
	c, err := firestore.NewClient(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// rawClient is the generated API client (apiv1), for the RPCs and the
// malformed requests the SDK does not send; it authenticates as the SDK
// does to an emulator.
func rawClient(t testing.TB, host string) (*v1.Client, context.Context) {
	t.Helper()
	c, ctx, err := dialRaw(host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, ctx
}

func dialRaw(host string) (*v1.Client, context.Context, error) {
	conn, err := grpc.NewClient(host, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	c, err := v1.NewClient(context.Background(), option.WithGRPCConn(conn))
	if err != nil {
		return nil, nil, err
	}
	return c, metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer owner"), nil
}

// wantCode fails unless err carries code (codes.OK: no error): as a gRPC
// status, or, from a REST client, as the status name of Google's JSON
// error.
func wantCode(t testing.TB, err error, code codes.Code) {
	t.Helper()
	if got := codeOf(err); got != code {
		t.Fatalf("got %v (%v), want code %v", err, got, code)
	}
}

func codeOf(err error) codes.Code {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return status.Code(err)
	}
	var body struct {
		Error struct{ Status string } `json:"error"`
	}
	json.Unmarshal([]byte(gerr.Body), &body)
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		if strings.ToUpper(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(c.String(), "${1}_${2}")) == body.Error.Status {
			return c
		}
	}
	return codes.Unknown
}
