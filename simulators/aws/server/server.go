// Package server runs the AWS simulator: one loopback HTTP port that
// verifies SigV4 and routes each request to the simulated service by its
// wire protocol (JSON 1.0 X-Amz-Target, or the query protocol's Action).
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/aws/dynamodb"
	"github.com/sockerless/sockerless/simulators/aws/ecs"
	"github.com/sockerless/sockerless/simulators/aws/efs"
	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/aws/lambda"
	"github.com/sockerless/sockerless/simulators/aws/sigv4"
	"github.com/sockerless/sockerless/simulators/aws/sts"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/loopback"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// DefaultAddr is where the simulator listens unless told otherwise; it is
// the port AWS tooling conventionally uses for local endpoints.
const DefaultAddr = "127.0.0.1:4566"

// Config configures a Server. The zero value is usable: loopback port
// 4566, state in memory, account 000000000000, credentials test/test.
type Config struct {
	// Addr is host:port to listen on; it must be a loopback address
	// unless AllowNonLoopback is set.
	Addr             string
	AllowNonLoopback bool
	// DataDir holds awssim.db; state survives restarts. Empty means memory.
	DataDir   string
	AccountID string
	// Credentials maps access key id → secret access key.
	Credentials map[string]string
	// SweepInterval is how often expired TTL items are deleted.
	SweepInterval time.Duration
	// Runtime runs ECS tasks' containers and Lambda image functions:
	// taskrun.RuntimeAuto (native where this process can run it, else
	// the sandbox), taskrun.RuntimeNative, or taskrun.RuntimeSandbox
	// ("" too).
	Runtime string
}

// Server is a running (or ready to run) simulator.
type Server struct {
	cfg      Config
	db       *bbolt.DB
	dynamo   *dynamodb.Service
	sts      *sts.Service
	verifier *sigv4.Verifier
	lambda   *lambda.Service
	ecs      *ecs.Service // route_ecs.go
	efs      *efs.Service // route_efs.go
	ops      opsServices  // CloudWatch Logs, IAM, ECR: route_ops.go
	ln       net.Listener
	serving  *loopback.Server
	stop     context.CancelFunc
}

// New opens the state in cfg.DataDir and builds the services; it does not
// listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.AccountID == "" {
		cfg.AccountID = account.Default
	}
	if len(cfg.Credentials) == 0 {
		cfg.Credentials = map[string]string{"test": "test"}
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = 30 * time.Second
	}
	if cfg.DataDir != "" {
		// Function code runs with its own working directory: every path
		// under the data directory must be absolute.
		abs, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		cfg.DataDir = abs
	}
	s := &Server{cfg: cfg, sts: sts.New(cfg.AccountID), verifier: sigv4.NewVerifier(cfg.Credentials)}
	db, err := kv.OpenFile(cfg.DataDir, "awssim.db")
	if err != nil {
		return nil, fmt.Errorf("awssim: %w", err)
	}
	s.db = db
	d, err := dynamodb.New(s.base())
	if err != nil {
		s.closeDB()
		return nil, err
	}
	s.dynamo = d
	if err := s.openOps(); err != nil {
		s.closeDB()
		return nil, err
	}
	if err := s.openEFS(); err != nil {
		s.closeDB()
		return nil, err
	}
	if err := s.openLambda(); err != nil {
		s.closeEFS()
		s.closeDB()
		return nil, err
	}
	if err := s.openECS(); err != nil {
		s.closeLambda()
		s.closeEFS()
		s.closeDB()
		return nil, err
	}
	return s, nil
}

// base is what every service is built with: the state file and the
// account.
func (s *Server) base() service.Base {
	return service.Base{DB: s.db, AccountID: s.cfg.AccountID}
}

// DynamoDB exposes the DynamoDB service, e.g. to force a TTL sweep.
func (s *Server) DynamoDB() *dynamodb.Service { return s.dynamo }

// Start listens on cfg.Addr and serves in the background.
func (s *Server) Start() error {
	srv, err := loopback.Start(s.cfg.Addr, s.cfg.AllowNonLoopback, s.Handler())
	if err != nil {
		return fmt.Errorf("awssim: %w", err)
	}
	s.serving, s.ln = srv, srv.Listener()
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go s.dynamo.RunSweeper(ctx, s.cfg.SweepInterval)
	return nil
}

// URL is the endpoint to give SDKs (AWS_ENDPOINT_URL / BaseEndpoint).
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving and closes the state file.
func (s *Server) Close() error {
	err := errors.Join(s.closeLambda(), s.closeECS()) // first: running invocations and tasks end, so Shutdown need not wait
	if s.serving != nil {
		s.stop()
		// A registry upload on a loaded machine may take a while.
		if cerr := s.serving.Close(15 * time.Second); cerr != nil {
			err = errors.Join(err, fmt.Errorf("awssim: %w", cerr))
		}
	}
	return errors.Join(err, s.closeEFS(), s.closeDB())
}

func (s *Server) closeDB() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}
