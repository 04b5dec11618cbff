package terraform

import (
	"context"
	"slices"
	"strings"
	"testing"

	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/firestore/v1"

	"github.com/sockerless/sockerless/e2e/tfsim"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

// TestGCPApplyDestroy applies environments/gcp-sim with the real
// hashicorp/google provider to a fresh GCP simulator: init, apply, a
// drift-free plan, every resource as the module declares it read back
// through Google's Go clients, then destroy leaving the project as it was.
func TestGCPApplyDestroy(t *testing.T) {
	d := tfsim.ApplyGCP(t, tfsim.GCPOptions{})
	t.Logf("apply: %v", d.ApplyTime)
	o := d.Outputs
	if o.Project != gcpsimtest.Project || o.Region != "us-central1" || o.FirestoreDatabase != "sockerless" ||
		o.FunctionSourceBucket != gcpsimtest.Project+"-sockerless-functions" ||
		o.AgentRepositoryURL != "us-central1-docker.pkg.dev/"+gcpsimtest.Project+"/sockerless-agent" ||
		o.WorkloadRepositoryURL != "us-central1-docker.pkg.dev/"+gcpsimtest.Project+"/sockerless-workloads" ||
		o.ControlPlaneServiceAccount != "sockerless-cp@"+gcpsimtest.Project+".iam.gserviceaccount.com" ||
		o.WorkloadServiceAccount != "sockerless-workload@"+gcpsimtest.Project+".iam.gserviceaccount.com" {
		t.Errorf("outputs = %+v", o)
	}
	if want := map[string]string{"cloudrun": "sockerless-cloudrun", "gcf": "sockerless-gcf"}; !mapsEqual(o.Collections, want) {
		t.Errorf("collections = %v, want %v", o.Collections, want)
	}
	if changes, show := d.Plan(t); changes {
		t.Errorf("a plan right after apply is not empty: the simulator reads back something else than was applied:\n%s", show)
	}

	checkGCP(t, d)

	took := d.Destroy(t)
	t.Logf("destroy: %v", took)
	left, err := d.LeftBehind(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("destroy left behind:\n%s", strings.Join(left, "\n"))
	}
}

// checkGCP reads back through Google's Go clients every resource the gcp
// module declares, as it declares it.
func checkGCP(t *testing.T, d *tfsim.GCPDeployment) {
	o := d.Outputs
	project := "projects/" + o.Project
	c, err := d.Clients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("services", func(t *testing.T) {
		for _, api := range []string{"artifactregistry", "firestore", "iam", "logging", "run", "storage"} {
			s, err := c.Usage.Services.Get(project + "/services/" + api + ".googleapis.com").Do()
			if err != nil || s.State != "ENABLED" {
				t.Errorf("service %s: %+v %v", api, s, err)
			}
		}
	})
	t.Run("firestore", func(t *testing.T) { checkFirestore(t, c.Firestore, d.Outputs) })
	t.Run("repositories", func(t *testing.T) {
		cp := "serviceAccount:" + o.ControlPlaneServiceAccount
		for id, want := range map[string]struct{ uri, role string }{
			"sockerless-agent":     {o.AgentRepositoryURL, "roles/artifactregistry.reader"},
			"sockerless-workloads": {o.WorkloadRepositoryURL, "roles/artifactregistry.writer"},
		} {
			name := project + "/locations/us-central1/repositories/" + id
			r, err := c.Registry.Projects.Locations.Repositories.Get(name).Do()
			if err != nil || r.Format != "DOCKER" || r.RegistryUri != want.uri || r.Labels["environment"] != "gcp-sim" {
				t.Errorf("repository %s: %+v %v", id, r, err)
			}
			p, err := c.Registry.Projects.Locations.Repositories.GetIamPolicy(name).Do()
			if err != nil || len(p.Bindings) != 1 || p.Bindings[0].Role != want.role || !slices.Equal(p.Bindings[0].Members, []string{cp}) {
				t.Errorf("who may use repository %s: %+v %v", id, p, err)
			}
		}
	})
	t.Run("bucket", func(t *testing.T) {
		b, err := c.Storage.Buckets.Get(o.FunctionSourceBucket).Do()
		if err != nil || b.Location != "US-CENTRAL1" || b.IamConfiguration == nil || b.IamConfiguration.UniformBucketLevelAccess == nil ||
			!b.IamConfiguration.UniformBucketLevelAccess.Enabled || b.Labels["environment"] != "gcp-sim" {
			t.Errorf("bucket %s: %+v %v", o.FunctionSourceBucket, b, err)
		}
	})
	t.Run("service accounts and roles", func(t *testing.T) { checkIAM(t, c, o) })

}

// checkFirestore reads the state database and each backend's TTL policy.
func checkFirestore(t *testing.T, c *firestore.Service, o tfsim.GCPOutputs) {
	db, err := c.Projects.Databases.Get("projects/" + o.Project + "/databases/" + o.FirestoreDatabase).Do()
	if err != nil || db.Type != "FIRESTORE_NATIVE" || db.LocationId != "nam5" || db.DeleteProtectionState != "DELETE_PROTECTION_DISABLED" {
		t.Fatalf("database: %+v %v", db, err)
	}
	for backend, collection := range o.Collections {
		f, err := c.Projects.Databases.CollectionGroups.Fields.Get(db.Name + "/collectionGroups/" + collection + "/fields/exp").Do()
		if err != nil || f.TtlConfig == nil || f.TtlConfig.State != "ACTIVE" {
			t.Errorf("%s: TTL policy on %s.exp: %+v %v", backend, collection, f, err)
			continue
		}
		if f.IndexConfig == nil || f.IndexConfig.UsesAncestorConfig || len(f.IndexConfig.Indexes) != 0 {
			t.Errorf("%s: %s.exp keeps indexes: %+v", backend, collection, f.IndexConfig)
		}
	}
}

// checkIAM reads the two service accounts and every role the module
// grants, and that nothing more is granted.
func checkIAM(t *testing.T, c *tfsim.GCPClients, o tfsim.GCPOutputs) {
	project := "projects/" + o.Project
	for _, email := range []string{o.ControlPlaneServiceAccount, o.WorkloadServiceAccount} {
		if a, err := c.IAM.Projects.ServiceAccounts.Get(project + "/serviceAccounts/" + email).Do(); err != nil || a.Email != email {
			t.Errorf("service account %s: %+v %v", email, a, err)
		}
	}
	cp, wl := "serviceAccount:"+o.ControlPlaneServiceAccount, "serviceAccount:"+o.WorkloadServiceAccount
	p, err := c.Projects.Projects.GetIamPolicy(o.Project, &crm.GetIamPolicyRequest{}).Do()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range p.Bindings {
		for _, m := range b.Members {
			got = append(got, b.Role+" "+m)
		}
	}
	slices.Sort(got)
	want := []string{"roles/datastore.user " + cp, "roles/logging.logWriter " + wl, "roles/logging.viewer " + cp, "roles/run.developer " + cp}
	if !slices.Equal(got, want) {
		t.Errorf("project roles:\n got %v\nwant %v", got, want)
	}
	sp, err := c.IAM.Projects.ServiceAccounts.GetIamPolicy(project + "/serviceAccounts/" + o.WorkloadServiceAccount).Do()
	if err != nil || len(sp.Bindings) != 1 || sp.Bindings[0].Role != "roles/iam.serviceAccountUser" || !slices.Equal(sp.Bindings[0].Members, []string{cp}) {
		t.Errorf("who may act as the workload account: %+v %v", sp, err)
	}
}
