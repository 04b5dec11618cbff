package server

import (
	"context"
	"errors"
	"strings"
	"testing"

	artifactregistry "cloud.google.com/go/artifactregistry/apiv1"
	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// arClients are the SDK's two clients of the API: gRPC, as the Go SDK
// defaults to, and REST (artifactregistry.googleapis.com/v1), as gcloud
// and the Terraform provider speak it.
func arClients(t testing.TB, s *Server) map[string]*artifactregistry.Client {
	t.Helper()
	ctx := context.Background()
	g, err := artifactregistry.NewClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	r, err := artifactregistry.NewRESTClient(ctx, option.WithEndpoint(s.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close(); r.Close() })
	return map[string]*artifactregistry.Client{"grpc": g, "rest": r}
}

// createRepo creates a DOCKER repository and waits on its operation.
func createRepo(ctx context.Context, c *artifactregistry.Client, parent, id string, r *arpb.Repository) (*arpb.Repository, error) {
	if r == nil {
		r = &arpb.Repository{Format: arpb.Repository_DOCKER}
	}
	op, err := c.CreateRepository(ctx, &arpb.CreateRepositoryRequest{Parent: parent, RepositoryId: id, Repository: r})
	if err != nil {
		return nil, err
	}
	return op.Wait(ctx)
}

func listRepos(ctx context.Context, c *artifactregistry.Client, parent string) ([]string, error) {
	var names []string
	it := c.ListRepositories(ctx, &arpb.ListRepositoriesRequest{Parent: parent, PageSize: 1})
	for {
		r, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
		names = append(names, r.Name)
	}
}

// TestArtifactRegistryRepositories drives repositories through both SDK
// clients: create and wait, get, list page by page, update by mask,
// delete and wait, and the errors of bad input.
func TestArtifactRegistryRepositories(t *testing.T) {
	s := startServer(t, Config{})
	ctx := context.Background()
	for kind, c := range arClients(t, s) {
		t.Run(kind, func(t *testing.T) {
			project := newProject(t)
			parent := "projects/" + project + "/locations/us-central1"
			r, err := createRepo(ctx, c, parent, "images", &arpb.Repository{Format: arpb.Repository_DOCKER, Description: "first", Labels: map[string]string{"team": "a"}})
			if err != nil || r.Name != parent+"/repositories/images" || r.RegistryUri != "us-central1-docker.pkg.dev/"+project+"/images" || r.CreateTime == nil || r.Mode != arpb.Repository_STANDARD_REPOSITORY {
				t.Fatalf("create: %v %v", r, err)
			}
			if _, err := createRepo(ctx, c, parent, "more", nil); err != nil {
				t.Fatal(err)
			}
			if got, err := c.GetRepository(ctx, &arpb.GetRepositoryRequest{Name: r.Name}); err != nil || got.Description != "first" || got.Format != arpb.Repository_DOCKER {
				t.Fatalf("get: %v %v", got, err)
			}
			if names, err := listRepos(ctx, c, parent); err != nil || strings.Join(names, ",") != parent+"/repositories/images,"+parent+"/repositories/more" {
				t.Fatalf("list: %v %v", names, err)
			}
			up, err := c.UpdateRepository(ctx, &arpb.UpdateRepositoryRequest{
				Repository: &arpb.Repository{Name: r.Name, Description: "ignored", Labels: map[string]string{"team": "b"}},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}},
			})
			if err != nil || up.Labels["team"] != "b" || up.Description != "first" {
				t.Fatalf("update labels only: %v %v", up, err)
			}
			dop, err := c.DeleteRepository(ctx, &arpb.DeleteRepositoryRequest{Name: parent + "/repositories/more"})
			if err != nil {
				t.Fatal(err)
			}
			if err := dop.Wait(ctx); err != nil {
				t.Fatal(err)
			}

			bad := []struct {
				name string
				call func() error
				code codes.Code
			}{
				{"a repository ID taken", func() error { _, err := createRepo(ctx, c, parent, "images", nil); return err }, codes.AlreadyExists},
				{"an ID with capitals", func() error { _, err := createRepo(ctx, c, parent, "Images", nil); return err }, codes.InvalidArgument},
				{"no format", func() error { _, err := createRepo(ctx, c, parent, "none", &arpb.Repository{}); return err }, codes.InvalidArgument},
				{"a format not simulated", func() error {
					_, err := createRepo(ctx, c, parent, "npm", &arpb.Repository{Format: arpb.Repository_NPM})
					return err
				}, codes.InvalidArgument},
				{"get a deleted repository", func() error {
					_, err := c.GetRepository(ctx, &arpb.GetRepositoryRequest{Name: parent + "/repositories/more"})
					return err
				}, codes.NotFound},
				{"delete a missing repository", func() error {
					_, err := c.DeleteRepository(ctx, &arpb.DeleteRepositoryRequest{Name: parent + "/repositories/ghost"})
					return err
				}, codes.NotFound},
				{"update a field that cannot change", func() error {
					_, err := c.UpdateRepository(ctx, &arpb.UpdateRepositoryRequest{Repository: &arpb.Repository{Name: r.Name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"format"}}})
					return err
				}, codes.InvalidArgument},
			}
			for _, b := range bad {
				t.Run(b.name, func(t *testing.T) { wantCode(t, b.call(), b.code) })
			}
		})
	}
}
