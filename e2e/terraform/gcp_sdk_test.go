package terraform

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/api/artifactregistry/v1"
	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/firestore/v1"
	"google.golang.org/api/iam/v1"
	"google.golang.org/api/serviceusage/v1"
	"google.golang.org/api/storage/v1"

	"github.com/sockerless/sockerless/e2e/tfsim"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

// TestGCPChecksOnSDKDeployment makes what the gcp module declares with
// Google's Go clients instead of the provider, runs TestGCPApplyDestroy's
// checks on it, deletes it and runs its left-behind check: the checks
// and the simulator's side of each resource are proven where
// hashicorp/google cannot be built.
func TestGCPChecksOnSDKDeployment(t *testing.T) {
	endpoint := "http://" + gcpsimtest.Simulator(t, t.TempDir())
	p := gcpsimtest.Project
	d := &tfsim.GCPDeployment{Endpoint: endpoint, Outputs: tfsim.GCPOutputs{
		Project: p, Region: "us-central1", FirestoreDatabase: "sockerless",
		Collections:                map[string]string{"cloudrun": "sockerless-cloudrun", "gcf": "sockerless-gcf"},
		AgentRepositoryURL:         "us-central1-docker.pkg.dev/" + p + "/sockerless-agent",
		WorkloadRepositoryURL:      "us-central1-docker.pkg.dev/" + p + "/sockerless-workloads",
		FunctionSourceBucket:       p + "-sockerless-functions",
		ControlPlaneServiceAccount: "sockerless-cp@" + p + ".iam.gserviceaccount.com",
		WorkloadServiceAccount:     "sockerless-workload@" + p + ".iam.gserviceaccount.com",
	}}
	c, err := d.Clients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, c, d.Outputs)
	checkGCP(t, d)
	teardown(t, c, d.Outputs)
	left, err := d.LeftBehind(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("teardown left behind:\n%s", strings.Join(left, "\n"))
	}
}

var moduleAPIs = []string{"artifactregistry.googleapis.com", "firestore.googleapis.com", "iam.googleapis.com",
	"logging.googleapis.com", "run.googleapis.com", "storage.googleapis.com"}

// deploy makes what modules/gcp declares, as its resources make it.
func deploy(t *testing.T, c *tfsim.GCPClients, o tfsim.GCPOutputs) {
	project := "projects/" + o.Project
	labels := map[string]string{"project": "sockerless", "environment": "gcp-sim"}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.Usage.Services.BatchEnable(project, &serviceusage.BatchEnableServicesRequest{ServiceIds: moduleAPIs}).Do()
	must("enable the APIs", err)
	_, err = c.Firestore.Projects.Databases.Create(project, &firestore.GoogleFirestoreAdminV1Database{LocationId: "nam5",
		Type: "FIRESTORE_NATIVE", DeleteProtectionState: "DELETE_PROTECTION_DISABLED"}).DatabaseId(o.FirestoreDatabase).Do()
	must("create the database", err)
	for _, col := range o.Collections {
		name := project + "/databases/" + o.FirestoreDatabase + "/collectionGroups/" + col + "/fields/exp"
		_, err := c.Firestore.Projects.Databases.CollectionGroups.Fields.Patch(name, &firestore.GoogleFirestoreAdminV1Field{
			TtlConfig: &firestore.GoogleFirestoreAdminV1TtlConfig{}, IndexConfig: &firestore.GoogleFirestoreAdminV1IndexConfig{}}).Do()
		must("TTL policy on "+col, err)
	}
	loc := project + "/locations/" + o.Region
	for _, id := range []string{"sockerless-agent", "sockerless-workloads"} {
		_, err := c.Registry.Projects.Locations.Repositories.Create(loc, &artifactregistry.Repository{Format: "DOCKER", Labels: labels}).RepositoryId(id).Do()
		must("create repository "+id, err)
	}
	_, err = c.Storage.Buckets.Insert(o.Project, &storage.Bucket{Name: o.FunctionSourceBucket, Location: "US-CENTRAL1", Labels: labels,
		IamConfiguration: &storage.BucketIamConfiguration{UniformBucketLevelAccess: &storage.BucketIamConfigurationUniformBucketLevelAccess{Enabled: true}}}).Do()
	must("create the bucket", err)
	for _, email := range []string{o.ControlPlaneServiceAccount, o.WorkloadServiceAccount} {
		_, err := c.IAM.Projects.ServiceAccounts.Create(project, &iam.CreateServiceAccountRequest{AccountId: email[:strings.Index(email, "@")]}).Do()
		must("create "+email, err)
	}
	cp, wl := "serviceAccount:"+o.ControlPlaneServiceAccount, "serviceAccount:"+o.WorkloadServiceAccount
	_, err = c.Projects.Projects.SetIamPolicy(o.Project, &crm.SetIamPolicyRequest{Policy: &crm.Policy{Bindings: []*crm.Binding{
		{Role: "roles/datastore.user", Members: []string{cp}}, {Role: "roles/run.developer", Members: []string{cp}},
		{Role: "roles/logging.viewer", Members: []string{cp}}, {Role: "roles/logging.logWriter", Members: []string{wl}},
	}}}).Do()
	must("project roles", err)
	_, err = c.IAM.Projects.ServiceAccounts.SetIamPolicy(project+"/serviceAccounts/"+o.WorkloadServiceAccount, &iam.SetIamPolicyRequest{
		Policy: &iam.Policy{Bindings: []*iam.Binding{{Role: "roles/iam.serviceAccountUser", Members: []string{cp}}}}}).Do()
	must("act as the workload account", err)
	for id, role := range map[string]string{"sockerless-agent": "roles/artifactregistry.reader", "sockerless-workloads": "roles/artifactregistry.writer"} {
		_, err := c.Registry.Projects.Locations.Repositories.SetIamPolicy(loc+"/repositories/"+id, &artifactregistry.SetIamPolicyRequest{
			Policy: &artifactregistry.Policy{Bindings: []*artifactregistry.Binding{{Role: role, Members: []string{cp}}}}}).Do()
		must("roles on "+id, err)
	}
}

// teardown deletes what deploy made, as terraform destroy does.
func teardown(t *testing.T, c *tfsim.GCPClients, o tfsim.GCPOutputs) {
	project := "projects/" + o.Project
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.Projects.Projects.SetIamPolicy(o.Project, &crm.SetIamPolicyRequest{Policy: &crm.Policy{}}).Do()
	must("drop the project roles", err)
	for _, email := range []string{o.ControlPlaneServiceAccount, o.WorkloadServiceAccount} {
		_, err := c.IAM.Projects.ServiceAccounts.Delete(project + "/serviceAccounts/" + email).Do()
		must("delete "+email, err)
	}
	must("delete the bucket", c.Storage.Buckets.Delete(o.FunctionSourceBucket).Do())
	for _, id := range []string{"sockerless-agent", "sockerless-workloads"} {
		_, err := c.Registry.Projects.Locations.Repositories.Delete(project + "/locations/" + o.Region + "/repositories/" + id).Do()
		must("delete repository "+id, err)
	}
	_, err = c.Firestore.Projects.Databases.Delete(project + "/databases/" + o.FirestoreDatabase).Do()
	must("delete the database", err)
	for _, api := range moduleAPIs {
		_, err := c.Usage.Services.Disable(project+"/services/"+api, &serviceusage.DisableServiceRequest{}).Do()
		must("disable "+api, err)
	}
}
