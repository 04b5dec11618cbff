package server

import (
	"context"
	"slices"
	"testing"

	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/option"
	su "google.golang.org/api/serviceusage/v1"
)

// TestProjectStateSurvivesRestart proves enabled services and a
// project's policy are kept in the state file, as Terraform's state
// assumes of the project between runs.
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
}
