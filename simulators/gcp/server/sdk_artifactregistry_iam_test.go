package server

import (
	"context"
	"testing"

	artifactregistry "cloud.google.com/go/artifactregistry/apiv1"
	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
)

// TestArtifactRegistryRepositoryIAM grants a role on a repository
// through both SDK clients (gRPC, and REST whose getIamPolicy is a GET),
// refuses a stale etag and a missing repository, and proves a deleted
// repository takes its policy along.
func TestArtifactRegistryRepositoryIAM(t *testing.T) {
	s := startServer(t, Config{})
	ctx := context.Background()
	g, err := artifactregistry.NewClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	r, err := artifactregistry.NewRESTClient(ctx, option.WithEndpoint(s.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for kind, c := range map[string]*artifactregistry.Client{"grpc": g, "rest": r} {
		t.Run(kind, func(t *testing.T) {
			parent := "projects/" + newProject(t) + "/locations/us-central1"
			create := func() string {
				op, err := c.CreateRepository(ctx, &arpb.CreateRepositoryRequest{Parent: parent, RepositoryId: "workloads",
					Repository: &arpb.Repository{Format: arpb.Repository_DOCKER}})
				if err != nil {
					t.Fatal(err)
				}
				repo, err := op.Wait(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return repo.Name
			}
			name := create()
			p, err := c.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: name, Options: &iampb.GetPolicyOptions{RequestedPolicyVersion: 3}})
			if err != nil || len(p.Bindings) != 0 {
				t.Fatalf("a new repository's policy: %v %v", p, err)
			}
			member := "serviceAccount:cp@example.iam.gserviceaccount.com"
			p.Bindings = []*iampb.Binding{{Role: "roles/artifactregistry.writer", Members: []string{member}}}
			set, err := c.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: name, Policy: p})
			if err != nil || len(set.Bindings) != 1 {
				t.Fatalf("SetIamPolicy: %v %v", set, err)
			}
			if got, err := c.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: name}); err != nil || got.Bindings[0].Members[0] != member {
				t.Fatalf("policy after set: %v %v", got, err)
			}
			_, err = c.SetIamPolicy(ctx, &iampb.SetIamPolicyRequest{Resource: name, Policy: p})
			wantCode(t, err, codes.Aborted) // p's etag is stale now
			_, err = c.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: parent + "/repositories/nosuch"})
			wantCode(t, err, codes.NotFound)
			op, err := c.DeleteRepository(ctx, &arpb.DeleteRepositoryRequest{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if err := op.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			create()
			if got, err := c.GetIamPolicy(ctx, &iampb.GetIamPolicyRequest{Resource: name}); err != nil || len(got.Bindings) != 0 {
				t.Fatalf("a recreated repository's policy: %v %v", got, err)
			}
		})
	}
}
