package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	adminpb "cloud.google.com/go/firestore/apiv1/admin/adminpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// TestFirestoreFieldTTL sets, reads, lists and clears a TTL policy on a
// field through both Admin SDK clients (gRPC and REST), as the GCP state
// store's `ttl` field needs it.
func TestFirestoreFieldTTL(t *testing.T) {
	s := startServer(t, Config{})
	ctx := context.Background()
	for kind, c := range adminClients(t, ctx, s) {
		t.Run(kind, func(t *testing.T) {
			db := "projects/" + newProject(t) + "/databases/state"
			name := db + "/collectionGroups/kv/fields/ttl"
			_, err := c.GetField(ctx, &adminpb.GetFieldRequest{Name: name})
			wantCode(t, err, codes.NotFound) // no database yet
			create := func() (*adminpb.Database, error) {
				op, err := c.CreateDatabase(ctx, &adminpb.CreateDatabaseRequest{Parent: db[:strings.Index(db, "/databases")], DatabaseId: "state",
					Database: &adminpb.Database{LocationId: "nam5", Type: adminpb.Database_FIRESTORE_NATIVE}})
				if err != nil {
					return nil, err
				}
				return op.Wait(ctx)
			}
			if _, err := create(); err != nil {
				t.Fatal(err)
			}
			f, err := c.GetField(ctx, &adminpb.GetFieldRequest{Name: name})
			if err != nil || f.TtlConfig != nil || !f.IndexConfig.GetUsesAncestorConfig() || len(f.IndexConfig.Indexes) != 3 {
				t.Fatalf("a field never configured: %v %v", f, err)
			}
			uop, err := c.UpdateField(ctx, &adminpb.UpdateFieldRequest{
				Field:      &adminpb.Field{Name: name, TtlConfig: &adminpb.Field_TtlConfig{ExpirationOffset: durationpb.New(3600e9)}},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"ttl_config"}}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := uop.Wait(ctx)
			if err != nil || got.Name != name || got.TtlConfig.GetState() != adminpb.Field_TtlConfig_ACTIVE ||
				got.TtlConfig.ExpirationOffset.AsDuration().Hours() != 1 || !got.IndexConfig.GetUsesAncestorConfig() {
				t.Fatalf("UpdateField ttl_config: %v %v", got, err)
			}
			if f, err := c.GetField(ctx, &adminpb.GetFieldRequest{Name: name}); err != nil || f.TtlConfig.GetState() != adminpb.Field_TtlConfig_ACTIVE {
				t.Fatalf("GetField after: %v %v", f, err)
			}
			it := c.ListFields(ctx, &adminpb.ListFieldsRequest{Parent: db + "/collectionGroups/kv", Filter: "ttlConfig:*"})
			if lf, err := it.Next(); err != nil || lf.Name != name {
				t.Fatalf("ListFields ttlConfig:*: %v %v", lf, err)
			}
			_, err = c.ListFields(ctx, &adminpb.ListFieldsRequest{Parent: db + "/collectionGroups/kv"}).Next()
			wantCode(t, err, codes.InvalidArgument) // Firestore lists only overrides, and asks the filter to say so
			_, err = c.UpdateField(ctx, &adminpb.UpdateFieldRequest{Field: &adminpb.Field{Name: db + "/collectionGroups/kv/fields/*", TtlConfig: &adminpb.Field_TtlConfig{}},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"ttl_config"}}})
			wantCode(t, err, codes.InvalidArgument)
			_, err = c.UpdateField(ctx, &adminpb.UpdateFieldRequest{Field: &adminpb.Field{Name: name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}})
			wantCode(t, err, codes.InvalidArgument)
			// Clearing both, as Terraform's destroy does, leaves no override.
			cop, err := c.UpdateField(ctx, &adminpb.UpdateFieldRequest{Field: &adminpb.Field{Name: name},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"index_config", "ttl_config"}}})
			if err != nil {
				t.Fatal(err)
			}
			if cleared, err := cop.Wait(ctx); err != nil || cleared.TtlConfig != nil {
				t.Fatalf("cleared: %v %v", cleared, err)
			}
			if lf, err := c.ListFields(ctx, &adminpb.ListFieldsRequest{Parent: db + "/collectionGroups/kv", Filter: "ttlConfig:*"}).Next(); err == nil {
				t.Fatalf("a cleared field still listed: %v", lf)
			}
			// A deleted database takes its fields' configuration with it.
			if _, err := c.UpdateField(ctx, &adminpb.UpdateFieldRequest{Field: &adminpb.Field{Name: name, TtlConfig: &adminpb.Field_TtlConfig{}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteDatabase(ctx, &adminpb.DeleteDatabaseRequest{Name: db}); err != nil {
				t.Fatal(err)
			}
			if _, err := create(); err != nil {
				t.Fatal(err)
			}
			if f, err := c.GetField(ctx, &adminpb.GetFieldRequest{Name: name}); err != nil || f.TtlConfig != nil {
				t.Fatalf("a field of a recreated database: %v %v", f, err)
			}
		})
	}
}

// TestFirestoreFieldTerraformPatch sends the PATCH google_firestore_field
// sends on create (no update mask, indexConfig null, an empty ttlConfig)
// and reads the done operation's response as it does.
func TestFirestoreFieldTerraformPatch(t *testing.T) {
	s := startServer(t, Config{})
	project := newProject(t)
	post := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %s %s", method, path, resp.Status, raw)
		}
		var out map[string]any
		json.Unmarshal(raw, &out)
		return out
	}
	post(http.MethodPost, "/v1/projects/"+project+"/databases?databaseId=state", `{"locationId":"nam5","type":"FIRESTORE_NATIVE"}`)
	name := "projects/" + project + "/databases/state/collectionGroups/kv/fields/ttl"
	op := post(http.MethodPatch, "/v1/"+name, `{"indexConfig":null,"ttlConfig":{}}`)
	resp, _ := op["response"].(map[string]any)
	if op["done"] != true || resp["name"] != name || resp["ttlConfig"].(map[string]any)["state"] != "ACTIVE" {
		t.Fatalf("PATCH without a mask: %v", op)
	}
	if f := post(http.MethodGet, "/v1/"+name, ""); f["ttlConfig"] == nil || f["indexConfig"].(map[string]any)["usesAncestorConfig"] != true {
		t.Fatalf("GET after: %v", f)
	}
}
