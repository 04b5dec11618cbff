// Package run simulates the Cloud Run Admin API v2 over gRPC and REST:
// jobs (google.cloud.run.v2.Jobs, Executions and Tasks), services and
// their revisions (Services, Revisions), and the
// google.longrunning.Operations their mutations return, as the Go SDK
// cloud.google.com/go/run/apiv2 speaks it: jobs are created, updated,
// run and deleted; each execution really runs its tasks' container in the
// sandbox over the image, pulled from a registry and unpacked once per
// digest, with Cloud Run's task count, parallelism, retries, timeout and
// cancellation, and its output written to Cloud Logging as Cloud Run
// writes it. A service gets a loopback URL whose requests an instance of
// its latest revision answers, run in the sandbox the same way.
//
// Jobs, executions, tasks and operations persist in the state file; an
// execution that was running when the simulator stopped is failed when it
// starts again, since its processes ended with it.
package run

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/gcp/internal/serving"
	"github.com/sockerless/sockerless/simulators/kit/imagefs"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// LogSink is where the tasks' stdout and stderr go: the simulator's
// Cloud Logging.
type LogSink interface {
	Write(entries []*loggingpb.LogEntry) error
}

// Options configures a Service.
type Options struct {
	// Base is the state file, the project and the clock.
	service.Base
	// Dir holds unpacked images and the tasks' writable layers; empty
	// means a temporary directory removed by Close.
	Dir string
	// Pull fetches a container image by its reference.
	Pull func(ctx context.Context, image string) (v1.Image, error)
	// Logs receives the containers' output; nil discards it.
	Logs LogSink
}

// Service is the Cloud Run Admin API. Every operation holds the one lock.
type Service struct {
	st      *service.State[*state]
	pull    func(ctx context.Context, image string) (v1.Image, error)
	logs    LogSink
	home    *imagefs.Home
	running map[string]*execRun // execution name → its run, while running
	// endpoints are the services' URLs, by service name.
	endpoints serving.Set
	closing   bool // Close has begun: roll-outs record nothing more
	wg        sync.WaitGroup
}

// New loads the persisted jobs and executions.
func New(o Options) (*Service, error) {
	if o.Pull == nil {
		return nil, errors.New("run: Options.Pull is required")
	}
	st, err := service.Open(o.Base, "", openState)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	s := &Service{st: st, pull: o.Pull, logs: o.Logs, running: map[string]*execRun{}}
	if err := s.failInterrupted(); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	if s.home, err = imagefs.OpenHome(o.Dir, "gcpsim-run-"); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	if err := s.openEndpoints(); err != nil {
		s.Close()
		return nil, fmt.Errorf("run: %w", err)
	}
	return s, nil
}

// Register serves the Jobs, Executions and Tasks APIs on g.
func (s *Service) Register(g *grpc.Server) {
	runpb.RegisterJobsServer(g, jobsAPI{s: s})
	runpb.RegisterExecutionsServer(g, executionsAPI{s: s})
	runpb.RegisterTasksServer(g, tasksAPI{s: s})
	runpb.RegisterServicesServer(g, servicesAPI{s: s})
	runpb.RegisterRevisionsServer(g, revisionsAPI{s: s})
}

// Operations is the Operations API over Cloud Run's operations, for the
// server to serve beside other services' (lro.Mux).
func (s *Service) Operations() lropb.OperationsServer { return operationsAPI{s: s} }

// Close kills every running execution's tasks and waits for them; the
// executions stay unfinished in the state file, to be failed by the next
// New as interrupted.
func (s *Service) Close() error {
	s.st.Mu.Lock()
	for _, r := range s.running {
		r.kill(errShutdown)
	}
	s.closing = true
	s.endpoints.CloseAll()
	s.st.Mu.Unlock()
	s.wg.Wait()
	s.endpoints.Wait()
	return s.home.Close()
}

var errShutdown = errors.New("the simulator is shutting down")

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

// locked runs f holding the service's lock.
func (s *Service) locked(f func(st *state) error) error {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	return f(s.st.St)
}
