package gcpsimtest

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/sockerless/sockerless/functions/images/agentimage"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
	"github.com/sockerless/sockerless/functions/testing/proctest"
)

// Region is the location of the tests' Cloud Run jobs and repositories.
const Region = "us-central1"

// Workloads are a workload repository in the simulator's Artifact
// Registry, named by the simulator's host (a client here cannot resolve
// LOCATION-docker.pkg.dev), with the agent image pushed to it.
type Workloads struct {
	Repository string // HOST:PORT/PROJECT/workloads
	AgentImage string // pinned by digest
	// Keychain logs in to it as a function does: with Application
	// Default Credentials, which are the simulator's metadata server.
	Keychain *gcphost.ARKeychain
}

// NewWorkloads makes the repository on the simulator at sim and pushes
// the agent, built into dir, to it. It points this process's
// Application Default Credentials at the simulator's metadata server for
// the rest of the test.
func NewWorkloads(t *testing.T, dir, sim string) Workloads {
	t.Helper()
	t.Setenv("GCE_METADATA_HOST", sim)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("HOME", t.TempDir()) // no gcloud user credentials
	url := fmt.Sprintf("http://%s/v1/projects/%s/locations/%s/repositories?repositoryId=workloads", sim, Project, Region)
	resp, err := http.Post(url, "application/json", bytes.NewReader([]byte(`{"format":"DOCKER"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create the workload repository: %s", resp.Status)
	}
	w := Workloads{Repository: sim + "/" + Project + "/workloads", Keychain: &gcphost.ARKeychain{Hosts: []string{sim}}}
	bin := proctest.Build(t, dir, "agent", "./agent/cmd/agent", []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"}, "-trimpath", "-ldflags", "-s -w")
	img, err := agentimage.Build(bin)
	if err != nil {
		t.Fatal(err)
	}
	if w.AgentImage, err = agentimage.Push(t.Context(), img, w.Repository+"/agent:latest", w.Keychain); err != nil {
		t.Fatal(err)
	}
	return w
}
