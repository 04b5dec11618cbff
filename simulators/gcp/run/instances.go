package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"syscall"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	mrpb "google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/gcp/internal/serving"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// A service's URL is a loopback listener of its own (serving.Endpoint),
// opened when the service is created or the simulator starts, closed when
// it is deleted; its requests go to one instance of the service's latest
// revision, run in the sandbox like a job's tasks. The instance's $PORT
// is a free loopback port, not the container port the revision names:
// every instance shares the machine's network.

// endpoint is service name's endpoint, opened if it has none. The caller
// holds the lock.
func (s *Service) endpoint(name string) (*serving.Endpoint, error) {
	return s.endpoints.Open(name, func(port int) (serving.Instance, error) { return s.startInstance(name, port) })
}

// openEndpoints gives every stored service its URL again when the
// simulator starts: a new port, as the old listener ended with the
// process; instances start on the first request.
func (s *Service) openEndpoints() error {
	return s.locked(func(st *state) error {
		for name, svc := range st.svcs {
			ep, err := s.endpoint(name)
			if err != nil {
				return err
			}
			svc.Uri, svc.Urls = ep.URL(), []string{ep.URL()}
			if err := st.saveService(svc); err != nil {
				return err
			}
		}
		return nil
	})
}

func (st *state) saveService(svc *runpb.Service) error {
	return save(st, bucketSvcs, map[string]*runpb.Service{svc.Name: svc})
}

// startInstance starts an instance of service name's latest revision
// listening on port.
func (s *Service) startInstance(name string, port int) (serving.Instance, error) {
	var rev *runpb.Revision
	s.locked(func(st *state) error {
		if svc := st.svcs[name]; svc != nil && st.revs[svc.LatestCreatedRevision] != nil {
			rev = proto.Clone(st.revs[svc.LatestCreatedRevision]).(*runpb.Revision)
		}
		return nil
	})
	if rev == nil {
		return nil, errors.New("the service has no revision")
	}
	c := rev.Containers[0]
	img, err := s.pullImage(context.Background(), c.Image)
	if err != nil {
		return nil, fmt.Errorf("image '%s' could not be pulled: %w", c.Image, err)
	}
	ws := taskrun.Workspace{Dir: filepath.Join(s.home.Dir, "instances", lastSegment(name), newUID())}
	root, err := ws.ContainerRoot(c.Name)
	if err != nil {
		return nil, err
	}
	m := revRE.FindStringSubmatch(rev.Name)
	spec := containerSpec(c, img, root, "PORT="+strconv.Itoa(port), "K_SERVICE="+m[3], "K_REVISION="+m[4], "K_CONFIGURATION="+m[3])
	stdout, stderr := s.instanceOutputs(rev)
	proc, err := sandbox.Start(context.Background(), spec, sandbox.Stdio{Stdout: stdout, Stderr: stderr})
	if err != nil {
		stdout.Close()
		stderr.Close()
		ws.Remove()
		return nil, err
	}
	return &instance{proc: proc, ws: ws, out: []io.Closer{stdout, stderr}}, nil
}

// instance is a service's instance in the sandbox.
type instance struct {
	proc *sandbox.Process
	ws   taskrun.Workspace
	out  []io.Closer
}

func (in *instance) Kill() { in.proc.Signal(syscall.SIGKILL) }

// Wait waits for the instance to end, then flushes its output and
// removes its files.
func (in *instance) Wait() error {
	code := in.proc.Wait()
	for _, c := range in.out {
		c.Close()
	}
	in.ws.Remove()
	if code != 0 {
		return fmt.Errorf("exit code %d", code)
	}
	return nil
}

// instanceOutputs are an instance's stdout and stderr in Cloud Logging,
// on the cloud_run_revision resource, as Cloud Run writes a service's.
func (s *Service) instanceOutputs(rev *runpb.Revision) (io.WriteCloser, io.WriteCloser) {
	if s.logs == nil {
		return taskrun.Discard(), taskrun.Discard()
	}
	m := revRE.FindStringSubmatch(rev.Name)
	resource := &mrpb.MonitoredResource{Type: "cloud_run_revision", Labels: map[string]string{
		"project_id": m[1], "location": m[2], "service_name": m[3], "revision_name": m[4], "configuration_name": m[3],
	}}
	labels := map[string]string{"instanceId": newUID()}
	return s.logWriter(m[1], "stdout", resource, labels), s.logWriter(m[1], "stderr", resource, labels)
}
