// Package functions simulates Cloud Run functions through the Cloud
// Functions v2 API (google.cloud.functions.v2.FunctionService, over gRPC
// and REST as cloudfunctions.googleapis.com/v2, as the Go SDK
// cloud.google.com/go/functions/apiv2 and gcloud functions speak it):
// functions are created, got, listed, updated and deleted;
// generateUploadUrl hands out a signed URL into the simulated Cloud
// Storage for the source zip; a create or update builds the source and
// returns an operation that is done once the function answers on its
// URL, a loopback listener of its own.
//
// The real service builds source with Google Cloud's buildpacks. The
// simulator builds the Go runtime (go1NN) the way the Go buildpack does,
// with this machine's Go toolchain: a generated main package, in a module
// that requires the function's module (replaced by the uploaded source)
// and functions-framework-go, starts the framework on $PORT, which
// serves the function FUNCTION_TARGET names (registered by the package
// with functions.HTTP or functions.CloudEvent, or, for a package that
// does not use the framework's registry, the exported HTTP handler of
// that name). Modules come through the machine's GOPROXY with
// GOFLAGS=-mod=mod. The function runs as a process on this machine
// (there is no container image), one instance at a time. Other runtimes
// are refused with INVALID_ARGUMENT, saying so.
//
// Functions and operations persist in the state file; the built binary
// lives under the service's directory, and a function is built again
// when the simulator starts without it.
package functions

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/gcp/internal/serving"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "functions" holds "functions" (name → Function
// as protojson) and "operations".
const (
	bucketRoot      = "functions"
	bucketFunctions = "functions"
	bucketOps       = "operations"
)

// Storage is where sources are uploaded: the simulated Cloud Storage.
type Storage interface {
	EnsureBucket(project, name, location string) error
	SignedPutURL(base, bucket, name string, ttl time.Duration) string
	Object(bucket, name string) ([]byte, int64, error)
}

// LogSink receives the functions' output: the simulator's Cloud Logging.
type LogSink interface {
	Write(entries []*loggingpb.LogEntry) error
}

// Options configures a Service.
type Options struct {
	// Base is the state file, the project and the clock.
	service.Base
	Storage Storage
	// URL is the simulator's http://HOST:PORT, for upload URLs.
	URL func() string
	// Dir holds the builds; empty means a temporary directory removed
	// by Close.
	Dir string
	// Logs receives the functions' output; nil discards it.
	Logs LogSink
}

// Service is the Cloud Functions v2 API.
type Service struct {
	functionspb.UnimplementedFunctionServiceServer
	base    service.Base
	storage Storage
	url     func() string
	logs    LogSink
	dir     string
	tempDir bool
	kv      *kv.Store
	ops     *lro.Store

	mu        sync.Mutex
	fns       map[string]*functionspb.Function
	endpoints serving.Set       // by function name
	builds    map[string]string // function name → its binary, once built
	closing   bool
	wg        sync.WaitGroup
}

// New loads the persisted functions and gives each its URL; a function
// is built again on its first request.
func New(o Options) (*Service, error) {
	if o.Storage == nil || o.URL == nil {
		return nil, errors.New("functions: Options.Storage and Options.URL are required")
	}
	s := &Service{base: o.Base.Defaults(""), storage: o.Storage, url: o.URL, logs: o.Logs, dir: o.Dir,
		fns: map[string]*functionspb.Function{}, builds: map[string]string{}}
	var err error
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "gcpsim-functions-"); err != nil {
			return nil, fmt.Errorf("functions: %w", err)
		}
		s.tempDir = true
	}
	if s.kv, err = kv.Open(o.DB, bucketRoot, bucketFunctions, bucketOps); err != nil {
		return nil, fmt.Errorf("functions: %w", err)
	}
	if err := protokv.LoadMap(s.kv, bucketFunctions, s.fns); err != nil {
		return nil, fmt.Errorf("functions: %w", err)
	}
	if s.ops, err = lro.Open(s.kv, bucketOps); err != nil {
		return nil, fmt.Errorf("functions: %w", err)
	}
	if err := s.reopen(); err != nil {
		s.Close()
		return nil, fmt.Errorf("functions: %w", err)
	}
	return s, nil
}

// Register serves the FunctionService API on g.
func (s *Service) Register(g *grpc.Server) { functionspb.RegisterFunctionServiceServer(g, s) }

// Operations is the Operations API over this service's operations.
func (s *Service) Operations() lropb.OperationsServer { return s.ops }

// Close stops every function's instance and waits for the builds.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closing = true
	s.endpoints.CloseAll()
	s.mu.Unlock()
	s.wg.Wait()
	s.endpoints.Wait()
	if s.tempDir {
		return os.RemoveAll(s.dir)
	}
	return nil
}

func (s *Service) saveFunction(f *functionspb.Function) error {
	return protokv.Save(s.kv, bucketFunctions, map[string]*functionspb.Function{f.Name: f})
}

func (s *Service) forgetFunction(name string) error {
	return protokv.Save(s.kv, bucketFunctions, map[string]*functionspb.Function{name: nil})
}

// The REST bindings (cloudfunctions.googleapis.com/v2); the operations'
// paths are the same as other v2 APIs' (lro.REST).
const (
	locPath = `/v2/(projects/[^/:]+/locations/[^/:]+)`
	fnPath  = `/v2/(projects/[^/:]+/locations/[^/:]+/functions/[^/:]+)`
)

// REST is the API's REST methods.
func (s *Service) REST() []googlerest.Method {
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, locPath+"/functions", "parent", "function", s.CreateFunction),
		googlerest.Bind(http.MethodGet, locPath+"/functions", "parent", "", s.ListFunctions),
		googlerest.Bind(http.MethodPost, locPath+"/functions:generateUploadUrl", "parent", "*", s.GenerateUploadUrl),
		googlerest.Bind(http.MethodGet, locPath+"/runtimes", "parent", "", s.ListRuntimes),
		googlerest.Bind(http.MethodGet, fnPath, "name", "", s.GetFunction),
		googlerest.Bind(http.MethodPatch, fnPath, "function.name", "function", s.UpdateFunction),
		googlerest.Bind(http.MethodDelete, fnPath, "name", "", s.DeleteFunction),
	}
}
