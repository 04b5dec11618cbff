package server

import (
	"context"
	"testing"

	admin "cloud.google.com/go/firestore/apiv1/admin"
	adminpb "cloud.google.com/go/firestore/apiv1/admin/adminpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// TestFirestoreDatabases drives the Admin API's databases through both
// SDK clients, gRPC and REST (firestore.googleapis.com/v1, as Terraform's
// google_firestore_database calls it): create and wait, get, list,
// update delete protection, a protected delete refused, delete.
func TestFirestoreDatabases(t *testing.T) {
	s := startServer(t, Config{})
	ctx := context.Background()
	for kind, c := range adminClients(t, ctx, s) {
		t.Run(kind, func(t *testing.T) {
			parent := "projects/" + newProject(t)
			create := func(id string, db *adminpb.Database) (*adminpb.Database, error) {
				op, err := c.CreateDatabase(ctx, &adminpb.CreateDatabaseRequest{Parent: parent, DatabaseId: id, Database: db})
				if err != nil {
					return nil, err
				}
				return op.Wait(ctx)
			}
			db, err := create("(default)", &adminpb.Database{LocationId: "nam5", Type: adminpb.Database_FIRESTORE_NATIVE,
				DeleteProtectionState: adminpb.Database_DELETE_PROTECTION_ENABLED})
			if err != nil || db.Name != parent+"/databases/(default)" || db.Uid == "" || db.ConcurrencyMode != adminpb.Database_PESSIMISTIC || db.Etag == "" {
				t.Fatalf("create: %v %v", db, err)
			}
			if got, err := c.GetDatabase(ctx, &adminpb.GetDatabaseRequest{Name: db.Name}); err != nil || got.LocationId != "nam5" {
				t.Fatalf("get: %v %v", got, err)
			}
			if list, err := c.ListDatabases(ctx, &adminpb.ListDatabasesRequest{Parent: parent}); err != nil || len(list.Databases) != 1 {
				t.Fatalf("list: %v %v", list, err)
			}
			_, err = c.DeleteDatabase(ctx, &adminpb.DeleteDatabaseRequest{Name: db.Name})
			wantCode(t, err, codes.FailedPrecondition)
			uop, err := c.UpdateDatabase(ctx, &adminpb.UpdateDatabaseRequest{
				Database:   &adminpb.Database{Name: db.Name, DeleteProtectionState: adminpb.Database_DELETE_PROTECTION_DISABLED},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"delete_protection_state"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if up, err := uop.Wait(ctx); err != nil || up.DeleteProtectionState != adminpb.Database_DELETE_PROTECTION_DISABLED {
				t.Fatalf("update: %v %v", up, err)
			}
			dop, err := c.DeleteDatabase(ctx, &adminpb.DeleteDatabaseRequest{Name: db.Name})
			if err != nil {
				t.Fatal(err)
			}
			if gone, err := dop.Wait(ctx); err != nil || gone.DeleteTime == nil {
				t.Fatalf("delete: %v %v", gone, err)
			}
			bad := []struct {
				name string
				call func() error
				code codes.Code
			}{
				{"get a deleted database", func() error {
					_, err := c.GetDatabase(ctx, &adminpb.GetDatabaseRequest{Name: db.Name})
					return err
				}, codes.NotFound},
				{"an ID with capitals", func() error {
					_, err := create("Bad", &adminpb.Database{LocationId: "nam5", Type: adminpb.Database_FIRESTORE_NATIVE})
					return err
				}, codes.InvalidArgument},
				{"no type", func() error { _, err := create("notype", &adminpb.Database{LocationId: "nam5"}); return err }, codes.InvalidArgument},
				{"an ID taken", func() error {
					if _, err := create("taken", &adminpb.Database{LocationId: "nam5", Type: adminpb.Database_DATASTORE_MODE}); err != nil {
						return err
					}
					_, err := create("taken", &adminpb.Database{LocationId: "nam5", Type: adminpb.Database_DATASTORE_MODE})
					return err
				}, codes.AlreadyExists},
				{"change the location", func() error {
					_, err := c.UpdateDatabase(ctx, &adminpb.UpdateDatabaseRequest{Database: &adminpb.Database{Name: parent + "/databases/taken"},
						UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"location_id"}}})
					return err
				}, codes.InvalidArgument},
			}
			for _, b := range bad {
				t.Run(b.name, func(t *testing.T) { wantCode(t, b.call(), b.code) })
			}
		})
	}
}

// adminClients are the Firestore Admin SDK's two clients, gRPC and
// REST, on s, by kind; closed when t ends.
func adminClients(t *testing.T, ctx context.Context, s *Server) map[string]*admin.FirestoreAdminClient {
	t.Helper()
	g, err := admin.NewFirestoreAdminClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	r, err := admin.NewFirestoreAdminRESTClient(ctx, option.WithEndpoint(s.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return map[string]*admin.FirestoreAdminClient{"grpc": g, "rest": r}
}
