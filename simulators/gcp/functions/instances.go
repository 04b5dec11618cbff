package functions

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	mrpb "google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/serving"
	"github.com/sockerless/sockerless/simulators/kit/fnproc"
)

// A function's URL is a loopback listener of its own (serving.Endpoint);
// its requests go to one instance: the built binary, run as a process of
// this machine with the environment Cloud Run functions give it.

// endpoint is function name's endpoint, opened if it has none. The caller
// holds the lock.
func (s *Service) endpoint(name string) (*serving.Endpoint, error) {
	return s.endpoints.Open(name, func(port int) (serving.Instance, error) { return s.startInstance(name, port) })
}

// reopen gives every stored function its URL again when the simulator
// starts; its build runs again on its first request. A deployment the
// last run left unfinished has failed.
func (s *Service) reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, f := range s.fns {
		ep, err := s.endpoint(name)
		if err != nil {
			return err
		}
		f.Url = ep.URL()
		f.ServiceConfig.Uri = ep.URL()
		if f.State == functionspb.Function_DEPLOYING {
			f.State = functionspb.Function_FAILED
			f.StateMessages = []*functionspb.StateMessage{{Severity: functionspb.StateMessage_ERROR, Type: "DeploymentError",
				Message: "The simulator stopped while the function was being deployed; deploy it again."}}
		}
		if err := s.saveFunction(f); err != nil {
			return err
		}
	}
	return nil
}

// startInstance starts an instance of function name on port, building it
// first when this process has not.
func (s *Service) startInstance(name string, port int) (serving.Instance, error) {
	s.mu.Lock()
	f, bin := s.fns[name], s.builds[name]
	if f != nil {
		f = proto.Clone(f).(*functionspb.Function)
	}
	s.mu.Unlock()
	if f == nil {
		return nil, errors.New("the function was deleted")
	}
	if bin == "" {
		var err error
		if bin, err = s.build(context.Background(), f); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.setBuild(name, bin)
		s.mu.Unlock()
	}
	id := name[strings.LastIndex(name, "/")+1:]
	env := append(os.Environ(), "PORT="+strconv.Itoa(port), "FUNCTION_TARGET="+f.BuildConfig.EntryPoint,
		"K_SERVICE="+id, "K_REVISION="+f.ServiceConfig.Revision, "K_CONFIGURATION="+id, "LOG_EXECUTION_ID=true")
	for k, v := range f.ServiceConfig.EnvironmentVariables {
		env = append(env, k+"="+v)
	}
	out, err := fnproc.NewOutput(s.logLines(f))
	if err != nil {
		return nil, err
	}
	p, err := fnproc.Host{Argv: []string{bin}, Dir: filepath.Dir(bin)}.Start(env, out.W())
	if err != nil {
		out.Close()
		return nil, err
	}
	return instance{p: p, out: out}, nil
}

// instance is a function's running process.
type instance struct {
	p   fnproc.Process
	out *fnproc.Output
}

func (in instance) Kill() { in.p.Kill() }

func (in instance) Wait() error {
	err := in.p.Wait()
	in.out.Close()
	return err
}

// logLines writes a function's output to Cloud Logging as Cloud Run
// functions do: run.googleapis.com/stdout of its project, on the
// cloud_run_revision resource of the service that serves it.
func (s *Service) logLines(f *functionspb.Function) func([]string) {
	if s.logs == nil {
		return func([]string) {}
	}
	m := fnRE.FindStringSubmatch(f.Name)
	resource := &mrpb.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{
		"project_id": m[1], "location": m[2], "service_name": m[3], "revision_name": f.ServiceConfig.Revision, "configuration_name": m[3],
	}}
	logName := "projects/" + m[1] + "/logs/run.googleapis.com%2Fstdout"
	labels := map[string]string{"goog-managed-by": "cloudfunctions"}
	return func(lines []string) {
		now := timestamppb.New(s.base.Now())
		var entries []*loggingpb.LogEntry
		for _, l := range lines {
			entries = append(entries, &loggingpb.LogEntry{LogName: logName, Resource: resource, Labels: labels,
				Timestamp: now, ReceiveTimestamp: now, Payload: &loggingpb.LogEntry_TextPayload{TextPayload: l}})
		}
		s.logs.Write(entries)
	}
}
