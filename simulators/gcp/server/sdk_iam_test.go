package server

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	admin "cloud.google.com/go/iam/admin/apiv1"
	adminpb "cloud.google.com/go/iam/admin/apiv1/adminpb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/api/googleapi"
	iamrest "google.golang.org/api/iam/v1"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// TestIAMServiceAccounts drives service accounts through the IAM admin
// SDK (gRPC): create, get by email and unique id, list, patch, policy
// read-modify-write, delete.
func TestIAMServiceAccounts(t *testing.T) {
	srv := startServer(t, Config{})
	ctx := context.Background()
	c, err := admin.NewIamClient(ctx, emulatorOptions(srv)...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	project := newProject(t)
	a, err := c.CreateServiceAccount(ctx, &adminpb.CreateServiceAccountRequest{Name: "projects/" + project, AccountId: "control-plane",
		ServiceAccount: &adminpb.ServiceAccount{DisplayName: "Sockerless control plane"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "control-plane@"+project+".iam.gserviceaccount.com" || a.Name != "projects/"+project+"/serviceAccounts/"+a.Email || a.UniqueId == "" {
		t.Fatalf("created account: %v", a)
	}
	for _, name := range []string{a.Name, "projects/-/serviceAccounts/" + a.Email, "projects/" + project + "/serviceAccounts/" + a.UniqueId} {
		if got, err := c.GetServiceAccount(ctx, &adminpb.GetServiceAccountRequest{Name: name}); err != nil || got.Email != a.Email {
			t.Fatalf("GetServiceAccount %s: %v %v", name, got, err)
		}
	}
	if _, err := c.CreateServiceAccount(ctx, &adminpb.CreateServiceAccountRequest{Name: "projects/" + project, AccountId: "control-plane"}); status.Code(err) != codes.AlreadyExists {
		t.Fatalf("creating it again: %v", err)
	}
	if _, err := c.CreateServiceAccount(ctx, &adminpb.CreateServiceAccountRequest{Name: "projects/" + project, AccountId: "x"}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("a too short account id: %v", err)
	}
	if x, err := c.ListServiceAccounts(ctx, &adminpb.ListServiceAccountsRequest{Name: "projects/" + project}).Next(); err != nil || x.Email != a.Email {
		t.Fatalf("ListServiceAccounts: %v %v", x, err)
	}
	p, err := c.PatchServiceAccount(ctx, &adminpb.PatchServiceAccountRequest{ServiceAccount: &adminpb.ServiceAccount{Name: a.Name, Description: "runs Docker calls"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"description"}}})
	if err != nil || p.Description != "runs Docker calls" || p.DisplayName != "Sockerless control plane" {
		t.Fatalf("PatchServiceAccount: %v %v", p, err)
	}

	policy, err := c.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: a.Name})
	if err != nil {
		t.Fatal(err)
	}
	policy.Add("user:dev@example.com", "roles/iam.serviceAccountUser")
	set, err := c.SetIamPolicy(ctx, &admin.SetIamPolicyRequest{Resource: a.Name, Policy: policy})
	if err != nil || !set.HasRole("user:dev@example.com", "roles/iam.serviceAccountUser") {
		t.Fatalf("SetIamPolicy: %v %v", set, err)
	}
	if got, err := c.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: a.Name}); err != nil || len(got.Members("roles/iam.serviceAccountUser")) != 1 {
		t.Fatalf("GetIamPolicy after set: %v %v", got, err)
	}
	if _, err := c.SetIamPolicy(ctx, &admin.SetIamPolicyRequest{Resource: a.Name, Policy: policy}); status.Code(err) != codes.Aborted {
		t.Fatalf("a write with the old etag: %v", err)
	}
	if err := c.DeleteServiceAccount(ctx, &adminpb.DeleteServiceAccountRequest{Name: a.Name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetServiceAccount(ctx, &adminpb.GetServiceAccountRequest{Name: a.Name}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetServiceAccount after delete: %v", err)
	}
}

// TestIAMKeysOverREST makes a service account and a key through the REST
// client (iam.googleapis.com/v1, as gcloud and Terraform call it); the
// key file it returns gets access and ID tokens from the simulator
// through ADC and idtoken unchanged.
func TestIAMKeysOverREST(t *testing.T) {
	srv := startServer(t, Config{})
	noLocalCredentials(t)
	ctx := context.Background()
	svc, err := iamrest.NewService(ctx, option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	project := newProject(t)
	a, err := svc.Projects.ServiceAccounts.Create("projects/"+project, &iamrest.CreateServiceAccountRequest{AccountId: "edge-caller"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	k, err := svc.Projects.ServiceAccounts.Keys.Create(a.Name, &iamrest.CreateServiceAccountKeyRequest{}).Do()
	if err != nil {
		t.Fatal(err)
	}
	file, err := base64.StdEncoding.DecodeString(k.PrivateKeyData)
	if err != nil {
		t.Fatal(err)
	}
	if tok := keyFileToken(t, file); tok == "" {
		t.Fatal("the key file got no access token")
	}
	if p := idTokenFor(t, srv, "https://control-plane.example", option.WithAuthCredentialsJSON(option.ServiceAccount, file)); p.Claims["email"] != a.Email {
		t.Fatalf("the key file's ID token: %+v", p)
	}

	keys, err := svc.Projects.ServiceAccounts.Keys.List(a.Name).Do()
	if err != nil || len(keys.Keys) != 1 || keys.Keys[0].PrivateKeyData != "" || keys.Keys[0].Name != k.Name {
		t.Fatalf("ListKeys: %+v %v", keys, err)
	}
	if got, err := svc.Projects.ServiceAccounts.Keys.Get(k.Name).PublicKeyType("TYPE_RAW_PUBLIC_KEY").Do(); err != nil || got.PublicKeyData == "" {
		t.Fatalf("GetKey with its public key: %+v %v", got, err)
	}
	if _, err := svc.Projects.ServiceAccounts.Keys.Delete(k.Name).Do(); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Projects.ServiceAccounts.Keys.Get(k.Name).Do()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != 404 {
		t.Fatalf("GetKey after delete: %v", err)
	}
	_, err = svc.Projects.ServiceAccounts.Create("projects/"+project, &iamrest.CreateServiceAccountRequest{AccountId: "edge-caller"}).Do()
	if !errors.As(err, &gerr) || gerr.Code != 409 {
		t.Fatalf("a duplicate account over REST: %v", err)
	}
}

// TestIAMPersist proves service accounts survive a restart.
func TestIAMPersist(t *testing.T) {
	cfg := Config{DataDir: t.TempDir()}
	srv := startServer(t, cfg)
	ctx := context.Background()
	c, err := admin.NewIamClient(ctx, emulatorOptions(srv)...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := c.CreateServiceAccount(ctx, &adminpb.CreateServiceAccountRequest{Name: "projects/kept", AccountId: "survivor"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	cfg.Addr = srv.Addr()
	startServer(t, cfg)
	if got, err := c.GetServiceAccount(ctx, &adminpb.GetServiceAccountRequest{Name: a.Name}); err != nil || got.UniqueId != a.UniqueId {
		t.Fatalf("after restart: %v %v", got, err)
	}
}
