package cloudrun_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	run "cloud.google.com/go/run/apiv2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/functions/backends/cloudrun"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
	"github.com/sockerless/sockerless/functions/images/agentimage"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
	"github.com/sockerless/sockerless/functions/testing/proctest"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

const region = "us-central1"

// simEnv is the GCP simulator with a workload repository in its Artifact
// Registry, the agent image, and a test image in a loopback registry.
type simEnv struct {
	sim        string // host:port
	keychain   *gcphost.ARKeychain
	repository string
	agent      string
	image      core.Workload
}

// newSimEnv starts the simulator and readies what a cloudrun driver
// needs there, logging in to Artifact Registry as a function does: with
// Application Default Credentials, which are the simulator's metadata
// server.
func newSimEnv(t *testing.T) simEnv {
	if testing.Short() {
		t.Skip("builds and runs the GCP simulator and the agent: not in -short")
	}
	dir := t.TempDir()
	sim := gcpsimtest.Simulator(t, dir)
	t.Setenv("GCE_METADATA_HOST", sim)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("HOME", t.TempDir()) // no gcloud user credentials
	createRepository(t, sim, "workloads")
	e := simEnv{sim: sim, keychain: &gcphost.ARKeychain{Hosts: []string{sim}},
		repository: sim + "/" + gcpsimtest.Project + "/workloads"}

	bin := proctest.Build(t, dir, "agent", "./agent/cmd/agent", []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"})
	agent, err := agentimage.Build(bin)
	if err != nil {
		t.Fatal(err)
	}
	if e.agent, err = agentimage.Push(t.Context(), agent, e.repository+"/agent:latest", e.keychain); err != nil {
		t.Fatal(err)
	}
	reg := registrytest.Start(t)
	ref := reg.Push(t, "computetest/base:1", registrytest.Image(t, registrytest.BaseFiles(), v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}}))
	pulled, err := (&remoteimages.Images{Name: cloudrun.Backend}).Pull(t.Context(), ref, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.image = core.Workload{ImageID: pulled.ID, ImageRef: pulled.RepoDigests[0]}
	return e
}

// createRepository makes a Docker repository in the simulator's Artifact
// Registry through its REST API, as the Terraform provider does.
func createRepository(t *testing.T, sim, id string) {
	url := fmt.Sprintf("http://%s/v1/projects/%s/locations/%s/repositories?repositoryId=%s", sim, gcpsimtest.Project, region, id)
	resp, err := http.Post(url, "application/json", bytes.NewReader([]byte(`{"format":"DOCKER"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create repository %s: %s", id, resp.Status)
	}
}

// driver is a cloudrun driver on the simulator, its agents dialing
// agentURL; it is closed when the test ends.
func (e simEnv) driver(t *testing.T, agentURL string) *cloudrun.Driver {
	ctx := t.Context()
	opts := gcphost.ClientOptions(e.sim)
	cfg := cloudrun.Config{Keychain: e.keychain, Project: gcpsimtest.Project, Region: region,
		Repository: e.repository, AgentImage: e.agent, AgentURL: agentURL}
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
