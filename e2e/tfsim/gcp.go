package tfsim

import (
	"testing"

	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

// GCPOptions says what to deploy with environments/gcp-sim. The zero
// value deploys the module for both GCP backends, named "sockerless", on
// a simulator of its own.
type GCPOptions struct {
	// Name is the module's name prefix; default "sockerless".
	Name string
	// Backends whose state collections get a TTL policy; default
	// cloudrun and gcf.
	Backends []string
	// Labels are the module's labels; default a project label, so that
	// the provider's label handling is exercised as on a real project.
	Labels map[string]string
}

// GCPOutputs are the gcp module's outputs.
type GCPOutputs struct {
	Project                    string            `json:"project"`
	Region                     string            `json:"region"`
	FirestoreDatabase          string            `json:"firestore_database"`
	Collections                map[string]string `json:"collections"`
	AgentRepositoryURL         string            `json:"agent_repository_url"`
	WorkloadRepositoryURL      string            `json:"workload_repository_url"`
	FunctionSourceBucket       string            `json:"function_source_bucket"`
	ControlPlaneServiceAccount string            `json:"control_plane_service_account"`
	WorkloadServiceAccount     string            `json:"workload_service_account"`
}

// GCPDeployment is an applied environments/gcp-sim.
type GCPDeployment struct {
	Outputs GCPOutputs
	// Endpoint is the simulator's URL.
	Endpoint string
	Applied
}

// ApplyGCP starts a GCP simulator of the test's own, runs init and apply
// of environments/gcp-sim against it in a new Workspace and returns the
// deployment; it skips the test when hashicorp/google is not available.
func ApplyGCP(t testing.TB, o GCPOptions) *GCPDeployment {
	t.Helper()
	ws := NewWorkspaceFor(t, "gcp-sim", "google")
	if o.Name == "" {
		o.Name = "sockerless"
	}
	if len(o.Backends) == 0 {
		o.Backends = []string{"cloudrun", "gcf"}
	}
	if o.Labels == nil {
		o.Labels = map[string]string{"project": "sockerless", "environment": "gcp-sim"}
	}
	endpoint := "http://" + gcpsimtest.Simulator(t, t.TempDir())
	d := &GCPDeployment{Endpoint: endpoint, Applied: Applied{Dir: ws.Dir, tf: ws.TF}}
	err := ws.SetVars(map[string]any{
		"endpoint": endpoint, "project": gcpsimtest.Project, "name": o.Name, "backends": o.Backends, "labels": o.Labels,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The simulator goes with the test: nothing to destroy at cleanup.
	d.apply(t, false, &d.Outputs)
	return d
}
