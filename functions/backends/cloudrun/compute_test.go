package cloudrun_test

import (
	"context"
	"testing"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	run "cloud.google.com/go/run/apiv2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/functions/backends/cloudrun"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// simEnv is the GCP simulator with the workloads' repository and a test
// image in a loopback registry.
type simEnv struct {
	sim   string // host:port
	w     gcpsimtest.Workloads
	image core.Workload
}

func newSimEnv(t *testing.T) simEnv {
	if testing.Short() {
		t.Skip("builds and runs the GCP simulator and the agent: not in -short")
	}
	dir := t.TempDir()
	sim := gcpsimtest.Simulator(t, dir)
	e := simEnv{sim: sim, w: gcpsimtest.NewWorkloads(t, dir, sim)}
	reg := registrytest.Start(t)
	ref := reg.Push(t, "computetest/base:1", registrytest.Image(t, registrytest.BaseFiles(), v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}}))
	pulled, err := (&remoteimages.Images{Name: cloudrun.Backend}).Pull(t.Context(), ref, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.image = core.Workload{ImageID: pulled.ID, ImageRef: pulled.RepoDigests[0]}
	return e
}

// driver is a cloudrun driver on the simulator, its agents dialing
// agentURL; it is closed when the test ends.
func (e simEnv) driver(t *testing.T, agentURL string) *cloudrun.Driver {
	ctx := t.Context()
	opts := gcphost.ClientOptions(e.sim)
	cfg := cloudrun.Config{Keychain: e.w.Keychain, Project: gcpsimtest.Project, Region: gcpsimtest.Region,
		Repository: e.w.Repository, AgentImage: e.w.AgentImage, AgentURL: agentURL}
	var err error
	must := func() {
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg.Jobs, err = run.NewJobsClient(ctx, opts...)
	must()
	cfg.Executions, err = run.NewExecutionsClient(ctx, opts...)
	must()
	cfg.Tasks, err = run.NewTasksClient(ctx, opts...)
	must()
	cfg.Logs, err = logging.NewClient(ctx, opts...)
	must()
	d, err := cloudrun.New(context.Background(), cfg)
	must()
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// TestCompute runs the compute conformance suite against the cloudrun
// driver on the GCP simulator: each workload a Cloud Run job execution
// of the test image with the agent appended, pushed to Artifact
// Registry. Not applicable (the suite skips them, saying why): Files,
// since a job's filesystem exists only while its task runs.
func TestCompute(t *testing.T) {
	e := newSimEnv(t)
	computetest.Run(t, func(t *testing.T, agentURL string) computetest.Target {
		return computetest.Target{Compute: e.driver(t, agentURL), Image: e.image, ExitInStatus: true, Settle: time.Minute}
	})
}
