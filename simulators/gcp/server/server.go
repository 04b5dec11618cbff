// Package server runs the GCP simulator: one loopback port that serves
// gRPC (HTTP/2 without TLS, as clients pointed at an emulator dial it:
// Firestore and its Admin API's databases, Cloud Run, Logging, IAM,
// Artifact Registry) and HTTP/1.1 (the metadata server, the OAuth token
// endpoint, the REST APIs of Cloud Run, Logging, IAM, Artifact Registry
// and Firestore's databases, Artifact Registry's Docker
// registry, Cloud Storage's JSON API and its XML reads), routing each
// request to the simulated service.
package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"go.etcd.io/bbolt"
	"google.golang.org/grpc"

	"github.com/sockerless/sockerless/simulators/gcp/artifactregistry"
	"github.com/sockerless/sockerless/simulators/gcp/firestore"
	"github.com/sockerless/sockerless/simulators/gcp/firestoreadmin"
	"github.com/sockerless/sockerless/simulators/gcp/functions"
	"github.com/sockerless/sockerless/simulators/gcp/iam"
	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
	"github.com/sockerless/sockerless/simulators/gcp/logging"
	"github.com/sockerless/sockerless/simulators/gcp/resourcemanager"
	"github.com/sockerless/sockerless/simulators/gcp/run"
	"github.com/sockerless/sockerless/simulators/gcp/serviceusage"
	"github.com/sockerless/sockerless/simulators/gcp/storage"
	"github.com/sockerless/sockerless/simulators/gcp/tokens"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/loopback"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// DefaultAddr is where the simulator listens unless told otherwise; point
// FIRESTORE_EMULATOR_HOST at it.
const DefaultAddr = "127.0.0.1:8086"

// DefaultProject is the project resources belong to when none is given.
const DefaultProject = "sockerless-sim"

// Config configures a Server. The zero value is usable: loopback port
// 8086, state in memory.
type Config struct {
	// Addr is host:port to listen on; it must be a loopback address
	// unless AllowNonLoopback is set.
	Addr             string
	AllowNonLoopback bool
	// DataDir holds gcpsim.db; state survives restarts. Empty means memory.
	DataDir   string
	ProjectID string
}

// Server is a running (or ready to run) simulator.
type Server struct {
	cfg       Config
	db        *bbolt.DB
	grpc      *grpc.Server
	firestore *firestore.Service
	logging   *logging.Service
	run       *run.Service
	tokens    *tokens.Service
	iam       *iam.Service
	ar        *artifactregistry.Service
	storage   *storage.Service
	fsadmin   *firestoreadmin.Service
	functions *functions.Service
	ops       lro.Mux // every service's operations
	usage     *serviceusage.Service
	projects  *resourcemanager.Service
	serving   *loopback.Server
}

// New opens the state in cfg.DataDir and builds the services; it does not
// listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.ProjectID == "" {
		cfg.ProjectID = DefaultProject
	}
	db, err := kv.OpenFile(cfg.DataDir, "gcpsim.db")
	if err != nil {
		return nil, fmt.Errorf("gcpsim: %w", err)
	}
	// Firestore takes requests of up to 10 MiB (a Commit of 500 writes).
	s := &Server{cfg: cfg, db: db, grpc: grpc.NewServer(grpc.MaxRecvMsgSize(16 << 20))}
	base := service.Base{DB: db, AccountID: cfg.ProjectID}
	fs, err := firestore.New(base)
	if err != nil {
		s.closeDB()
		return nil, err
	}
	s.firestore = fs
	fs.Register(s.grpc)
	if s.fsadmin, err = firestoreadmin.New(base); err != nil {
		s.closeDB()
		return nil, err
	}
	s.fsadmin.Register(s.grpc)
	if s.tokens, err = tokens.New(base); err != nil {
		s.closeDB()
		return nil, err
	}
	if s.iam, err = iam.New(base, func() string { return s.URL() + "/token" }); err != nil {
		s.closeDB()
		return nil, err
	}
	s.iam.Register(s.grpc)
	if s.logging, err = logging.New(base); err != nil {
		s.closeDB()
		return nil, err
	}
	s.logging.Register(s.grpc)
	if s.storage, err = storage.New(base, s.tokens.ProjectNumber()); err != nil {
		s.closeDB()
		return nil, err
	}
	if s.usage, err = serviceusage.New(base); err != nil {
		s.closeDB()
		return nil, err
	}
	if s.projects, err = resourcemanager.New(base); err != nil {
		s.closeDB()
		return nil, err
	}
	if err := s.openArtifactRegistry(base); err != nil {
		s.closeDB()
		return nil, err
	}
	if err := s.openRun(base); err != nil {
		s.closeDB()
		return nil, err
	}
	if err := s.openFunctions(base); err != nil {
		s.run.Close()
		s.closeDB()
		return nil, err
	}
	s.ops = lro.Mux{Servers: []lropb.OperationsServer{s.run.Operations(), s.ar.Operations(), s.fsadmin.Operations(), s.functions.Operations()}}
	lropb.RegisterOperationsServer(s.grpc, s.ops)
	return s, nil
}

// Handler routes the simulator's requests: gRPC calls to the gRPC
// services, anything else answered with Google's JSON error.
func (s *Server) Handler() http.Handler {
	r := &service.Router{MaxBody: 64 << 20, NotFound: notFound}
	r.Register(service.Route{
		Name:   "grpc",
		Stream: true,
		Match: func(r *http.Request, _ []byte) bool {
			return r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc")
		},
		Serve: func(w http.ResponseWriter, r *http.Request, _ []byte) { s.grpc.ServeHTTP(w, r) },
	})
	r.Register(service.Route{
		Name:   "docker-registry",
		Stream: true,
		Match:  func(r *http.Request, _ []byte) bool { return artifactregistry.IsRegistryRequest(r) },
		Serve:  func(w http.ResponseWriter, r *http.Request, _ []byte) { s.ar.Registry().ServeHTTP(w, r) },
	})
	r.Register(s.tokens.Routes()...)
	r.Register(restRoute("operations/v2", lro.REST("/v2", s.ops)), restRoute("functions", s.functions.REST()), s.run.KnativeRoute())
	r.Register(restRoute("run", s.run.REST()), restRoute("iam", s.iam.REST()), restRoute("logging", s.logging.REST()),
		restRoute("artifactregistry", s.ar.REST()), restRoute("firestoreadmin", s.fsadmin.REST()))
	r.Register(s.usage.Routes()...)
	r.Register(s.projects.Routes()...)
	r.Register(restRoute("resourcemanager", s.projects.REST()))
	// Storage's XML reads claim GET /BUCKET/OBJECT: after every other path.
	r.Register(s.storage.Routes()...)
	return r
}

// restRoute serves a service's REST methods.
func restRoute(name string, methods []googlerest.Method) service.Route {
	return service.Route{
		Name:  name,
		Match: func(r *http.Request, _ []byte) bool { return googlerest.Matches(methods, r) },
		Serve: func(w http.ResponseWriter, r *http.Request, body []byte) { googlerest.Serve(methods, w, r, body) },
	}
}

// notFound answers as Google's REST APIs do for an unknown method or path.
func notFound(w http.ResponseWriter, r *http.Request, _ []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusNotFound)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": http.StatusNotFound, "status": "NOT_FOUND",
		"message": fmt.Sprintf("The requested URL %s was not found on this server (method %s).", r.URL.Path, r.Method),
	}})
}

// Start listens on cfg.Addr and serves in the background.
func (s *Server) Start() error {
	srv, err := loopback.Start(s.cfg.Addr, s.cfg.AllowNonLoopback, s.Handler(), loopback.UnencryptedHTTP2())
	if err != nil {
		return fmt.Errorf("gcpsim: %w", err)
	}
	s.serving = srv
	return nil
}

// Addr is host:port being served: the value for FIRESTORE_EMULATOR_HOST.
func (s *Server) Addr() string { return s.serving.Listener().Addr().String() }

// URL is http://host:port being served.
func (s *Server) URL() string { return s.serving.URL() }

// Close stops serving and closes the state file.
func (s *Server) Close() error {
	var err error
	if s.serving != nil {
		if cerr := s.serving.Close(10 * time.Second); cerr != nil {
			err = fmt.Errorf("gcpsim: %w", cerr)
		}
	}
	s.grpc.Stop()
	if s.run != nil {
		err = errors.Join(err, s.run.Close())
	}
	if s.functions != nil {
		err = errors.Join(err, s.functions.Close())
	}
	return errors.Join(err, s.closeDB())
}

func (s *Server) closeDB() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}
