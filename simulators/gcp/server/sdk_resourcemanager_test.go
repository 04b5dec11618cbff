package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	crm "google.golang.org/api/cloudresourcemanager/v1"
	crm3 "google.golang.org/api/cloudresourcemanager/v3"
	"google.golang.org/api/googleapi"
	iamrest "google.golang.org/api/iam/v1"
	"google.golang.org/api/option"

	"github.com/sockerless/sockerless/simulators/gcp/tokens"
)

// TestResourceManagerProjects reads a project through the v1 and v3
// clients, as google_project_service does before it lists services.
func TestResourceManagerProjects(t *testing.T) {
	srv := startServer(t, Config{})
	ctx := context.Background()
	v1, err := crm.NewService(ctx, option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	project := newProject(t)
	p, err := v1.Projects.Get(project).Do()
	if err != nil || p.ProjectId != project || p.LifecycleState != "ACTIVE" || p.ProjectNumber == 0 {
		t.Fatalf("v1 Projects.Get: %+v %v", p, err)
	}
	own, err := v1.Projects.Get(tokens.ProjectNumberOf(DefaultProject)).Do()
	if err != nil || own.ProjectId != DefaultProject {
		t.Fatalf("v1 Projects.Get by the simulator project's number: %+v %v", own, err)
	}
	var gerr *googleapi.Error
	if _, err := v1.Projects.Get("Bad_Project").Do(); !errors.As(err, &gerr) || gerr.Code != http.StatusForbidden {
		t.Fatalf("a malformed project: %v", err)
	}
	v3, err := crm3.NewService(ctx, option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	p3, err := v3.Projects.Get("projects/" + project).Do()
	if err != nil || p3.ProjectId != project || p3.State != "ACTIVE" || p3.Name != "projects/"+tokens.ProjectNumberOf(project) {
		t.Fatalf("v3 Projects.Get: %+v %v", p3, err)
	}
}

// TestResourceManagerIAM adds a member to a project's policy the way
// google_project_iam_member does (read with version 3, modify, write
// with the etag), and proves a stale etag is refused.
func TestResourceManagerIAM(t *testing.T) {
	srv := startServer(t, Config{})
	ctx := context.Background()
	svc, err := crm.NewService(ctx, option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	project := newProject(t)
	read := func() *crm.Policy {
		t.Helper()
		p, err := svc.Projects.GetIamPolicy(project, &crm.GetIamPolicyRequest{Options: &crm.GetPolicyOptions{RequestedPolicyVersion: 3}}).Do()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := read()
	if len(p.Bindings) != 0 || p.Etag == "" {
		t.Fatalf("a new project's policy: %+v", p)
	}
	member := "serviceAccount:control-plane@" + project + ".iam.gserviceaccount.com"
	p.Bindings = append(p.Bindings, &crm.Binding{Role: "roles/datastore.user", Members: []string{member}})
	set, err := svc.Projects.SetIamPolicy(project, &crm.SetIamPolicyRequest{Policy: p}).Do()
	if err != nil || set.Etag == p.Etag || len(set.Bindings) != 1 {
		t.Fatalf("SetIamPolicy: %+v %v", set, err)
	}
	if got := read(); len(got.Bindings) != 1 || got.Bindings[0].Role != "roles/datastore.user" || !slices.Equal(got.Bindings[0].Members, []string{member}) {
		t.Fatalf("policy after set: %+v", got.Bindings)
	}
	var gerr *googleapi.Error
	if _, err := svc.Projects.SetIamPolicy(project, &crm.SetIamPolicyRequest{Policy: p}).Do(); !errors.As(err, &gerr) || gerr.Code != http.StatusConflict {
		t.Fatalf("a stale etag: %v", err)
	}
	bad := &crm.Policy{Bindings: []*crm.Binding{{Role: "roles/viewer", Members: []string{"nobody"}}}}
	if _, err := svc.Projects.SetIamPolicy(project, &crm.SetIamPolicyRequest{Policy: bad}).Do(); !errors.As(err, &gerr) || gerr.Code != http.StatusBadRequest {
		t.Fatalf("a malformed member: %v", err)
	}
	// Removing the last member drops the binding, as Google does.
	cur := read()
	cur.Bindings[0].Members = nil
	if got, err := svc.Projects.SetIamPolicy(project, &crm.SetIamPolicyRequest{Policy: cur}).Do(); err != nil || len(got.Bindings) != 0 {
		t.Fatalf("a binding without members: %+v %v", got, err)
	}
}

// TestServiceAccountPolicyVersionQuery reads a service account's policy
// with options.requestedPolicyVersion in the query, as Terraform's
// google_service_account_iam_member does.
func TestServiceAccountPolicyVersionQuery(t *testing.T) {
	srv := startServer(t, Config{})
	svc, err := iamrest.NewService(context.Background(), option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	project := newProject(t)
	a, err := svc.Projects.ServiceAccounts.Create("projects/"+project, &iamrest.CreateServiceAccountRequest{AccountId: "workload"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Projects.ServiceAccounts.GetIamPolicy(a.Name).OptionsRequestedPolicyVersion(3).Do(); err != nil || p.Etag == "" {
		t.Fatalf("GetIamPolicy with options.requestedPolicyVersion: %+v %v", p, err)
	}
}
