package server

import (
	"context"
	"slices"
	"testing"

	artifactregistry "cloud.google.com/go/artifactregistry/apiv1"
	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"
	"cloud.google.com/go/iam/apiv1/iampb"
	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/option"
	su "google.golang.org/api/serviceusage/v1"
)

// TestProjectStateSurvivesRestart proves enabled services, a project's
// policy and a repository's policy are kept in the state file, as
// Terraform's state assumes of the project between runs.
func TestProjectStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	project := newProject(t)
	if _, err := serviceUsage(t, first).Services.Enable("projects/"+project+"/services/run.googleapis.com", &su.EnableServiceRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	rm, err := crm.NewService(context.Background(), option.WithEndpoint(first.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	policy := &crm.Policy{Bindings: []*crm.Binding{{Role: "roles/run.developer", Members: []string{"serviceAccount:cp@" + project + ".iam.gserviceaccount.com"}}}}
	if _, err := rm.Projects.SetIamPolicy(project, &crm.SetIamPolicyRequest{Policy: policy}).Do(); err != nil {
		t.Fatal(err)
	}
	ar, err := artifactregistry.NewRESTClient(context.Background(), option.WithEndpoint(first.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	op, err := ar.CreateRepository(context.Background(), &arpb.CreateRepositoryRequest{Parent: "projects/" + project + "/locations/us-central1",
		RepositoryId: "agent", Repository: &arpb.Repository{Format: arpb.Repository_DOCKER}})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := op.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ar.SetIamPolicy(context.Background(), &iampb.SetIamPolicyRequest{Resource: repo.Name, Policy: &iampb.Policy{
		Bindings: []*iampb.Binding{{Role: "roles/artifactregistry.reader", Members: []string{"serviceAccount:cp@" + project + ".iam.gserviceaccount.com"}}}}}); err != nil {
		t.Fatal(err)
	}
	ar.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, Config{DataDir: dir})
	if got := enabledServices(t, serviceUsage(t, second), project); !slices.Equal(got, []string{"run.googleapis.com"}) {
		t.Fatalf("enabled services after a restart: %v", got)
	}
	rm, err = crm.NewService(context.Background(), option.WithEndpoint(second.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	if p, err := rm.Projects.GetIamPolicy(project, &crm.GetIamPolicyRequest{}).Do(); err != nil || len(p.Bindings) != 1 || p.Bindings[0].Role != "roles/run.developer" {
		t.Fatalf("policy after a restart: %+v %v", p, err)
	}
	ar, err = artifactregistry.NewRESTClient(context.Background(), option.WithEndpoint(second.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	if p, err := ar.GetIamPolicy(context.Background(), &iampb.GetIamPolicyRequest{Resource: repo.Name}); err != nil || len(p.Bindings) != 1 {
		t.Fatalf("repository policy after a restart: %v %v", p, err)
	}
}
