package server

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	functions "cloud.google.com/go/functions/apiv2"
	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// helloSource is a Go function as a user writes it for Cloud Run
// functions: a package that registers itself with functions-framework-go.
var helloSource = map[string]string{
	"go.mod": "module example.com/hello\n\ngo 1.21\n\nrequire github.com/GoogleCloudPlatform/functions-framework-go v1.9.2\n",
	"hello.go": `package hello

import (
	"fmt"
	"net/http"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

func init() { functions.HTTP("Hello", hello) }

func hello(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "hello %s from %s at %s\n", os.Getenv("GREETING"), os.Getenv("K_SERVICE"), r.URL.Path)
}
`,
}

// legacySource is a function whose package does not use the framework's
// registry: the entry point names its exported handler.
var legacySource = map[string]string{
	"go.mod": "module example.com/legacy\n\ngo 1.21\n",
	"fn.go": `package legacy

import "net/http"

// Handle answers every request.
func Handle(w http.ResponseWriter, r *http.Request) { w.Write([]byte("legacy " + r.Method + "\n")) }
`,
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// functionsEnv is a simulator and the Functions SDK client pointed at it.
type functionsEnv struct {
	srv    *Server
	fns    *functions.FunctionClient
	parent string
}

func newFunctionsEnv(t testing.TB, cfg Config) *functionsEnv {
	t.Helper()
	e := &functionsEnv{srv: startServer(t, cfg), parent: "projects/" + newProject(t) + "/locations/us-central1"}
	e.dial(t)
	return e
}

func (e *functionsEnv) dial(t testing.TB) {
	t.Helper()
	var err error
	e.fns, err = functions.NewFunctionClient(context.Background(), option.WithEndpoint(e.srv.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.fns.Close() })
}

// upload puts the zipped files where generateUploadUrl says, as gcloud
// does, and returns the source to deploy.
func (e *functionsEnv) upload(t testing.TB, files map[string]string) *functionspb.Source {
	t.Helper()
	u, err := e.fns.GenerateUploadUrl(context.Background(), &functionspb.GenerateUploadUrlRequest{Parent: e.parent})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, u.UploadUrl, bytes.NewReader(zipOf(t, files)))
	req.Header.Set("Content-Type", "application/zip")
	if code, body := do(t, req); code != 200 {
		t.Fatalf("uploading the source: %d %s", code, body)
	}
	return &functionspb.Source{Source: &functionspb.Source_StorageSource{StorageSource: u.StorageSource}}
}

func (e *functionsEnv) function(src *functionspb.Source, entry string, env map[string]string) *functionspb.Function {
	return &functionspb.Function{
		BuildConfig:   &functionspb.BuildConfig{Runtime: "go125", EntryPoint: entry, Source: src},
		ServiceConfig: &functionspb.ServiceConfig{EnvironmentVariables: env},
	}
}

func (e *functionsEnv) create(t testing.TB, id string, f *functionspb.Function) (*functionspb.Function, error) {
	t.Helper()
	op, err := e.fns.CreateFunction(context.Background(), &functionspb.CreateFunctionRequest{Parent: e.parent, FunctionId: id, Function: f})
	if err != nil {
		return nil, err
	}
	return op.Wait(context.Background())
}

// TestFunctions deploys Go functions with the Go SDK as gcloud does
// (generateUploadUrl, upload, create), calls their URLs, and gets, lists,
// updates and deletes them.
func TestFunctions(t *testing.T) {
	e := newFunctionsEnv(t, Config{})
	ctx := context.Background()
	f, err := e.create(t, "hello", e.function(e.upload(t, helloSource), "Hello", map[string]string{"GREETING": "world"}))
	if err != nil {
		t.Fatal(err)
	}
	if f.State != functionspb.Function_ACTIVE || !strings.HasPrefix(f.Url, "http://127.0.0.1:") || f.ServiceConfig.Uri != f.Url {
		t.Fatalf("created function: %v", f)
	}
	t.Run("its URL answers", func(t *testing.T) {
		if got := get(t, f.Url+"/x"); got != "hello world from hello at /x\n" {
			t.Fatalf("answer %q", got)
		}
	})
	t.Run("a function without the framework's registry", func(t *testing.T) {
		l, err := e.create(t, "legacy", e.function(e.upload(t, legacySource), "Handle", nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := get(t, l.Url); got != "legacy GET\n" {
			t.Fatalf("answer %q", got)
		}
	})
	t.Run("get", func(t *testing.T) {
		got, err := e.fns.GetFunction(ctx, &functionspb.GetFunctionRequest{Name: f.Name})
		if err != nil || got.Url != f.Url || got.BuildConfig.Runtime != "go125" || got.Environment != functionspb.Environment_GEN_2 {
			t.Fatalf("GetFunction: %v %v", got, err)
		}
	})
	t.Run("list", func(t *testing.T) {
		var names []string
		for _, x := range all[*functionspb.Function](t, e.fns.ListFunctions(ctx, &functionspb.ListFunctionsRequest{Parent: e.parent})) {
			names = append(names, x.Name)
		}
		if strings.Join(names, ",") != e.parent+"/functions/hello,"+e.parent+"/functions/legacy" {
			t.Fatalf("ListFunctions: %v", names)
		}
	})
	t.Run("update", func(t *testing.T) {
		op, err := e.fns.UpdateFunction(ctx, &functionspb.UpdateFunctionRequest{
			Function:   &functionspb.Function{Name: f.Name, ServiceConfig: &functionspb.ServiceConfig{EnvironmentVariables: map[string]string{"GREETING": "again"}}},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"service_config.environment_variables"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		up, err := op.Wait(ctx)
		if err != nil || up.State != functionspb.Function_ACTIVE || up.Url != f.Url || !strings.Contains(up.ServiceConfig.Revision, "hello-00002-") {
			t.Fatalf("UpdateFunction: %v %v", up, err)
		}
		if got := get(t, f.Url); got != "hello again from hello at /\n" {
			t.Fatalf("answer after the update %q", got)
		}
	})
	t.Run("delete", func(t *testing.T) {
		op, err := e.fns.DeleteFunction(ctx, &functionspb.DeleteFunctionRequest{Name: f.Name})
		if err != nil {
			t.Fatal(err)
		}
		if err := op.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = e.fns.GetFunction(ctx, &functionspb.GetFunctionRequest{Name: f.Name})
		wantCode(t, err, codes.NotFound)
	})
}

// TestFunctionsBadInput proves what Cloud Functions refuses is refused,
// with its codes, over gRPC and REST (Google's JSON errors).
func TestFunctionsBadInput(t *testing.T) {
	e := newFunctionsEnv(t, Config{})
	ctx := context.Background()
	src := e.upload(t, legacySource)
	if _, err := e.create(t, "dup", e.function(src, "Handle", nil)); err != nil {
		t.Fatal(err)
	}
	broken := e.upload(t, map[string]string{"go.mod": "module example.com/broken\n\ngo 1.21\n", "fn.go": "package broken\n\nfunc Handle( {\n"})
	for _, c := range []struct {
		name string
		err  func() error
		code codes.Code
		want string
	}{
		{"a duplicate function", func() error {
			_, err := e.create(t, "dup", e.function(src, "Handle", nil))
			return err
		}, codes.AlreadyExists, "already exists"},
		{"a missing function", func() error {
			_, err := e.fns.GetFunction(ctx, &functionspb.GetFunctionRequest{Name: e.parent + "/functions/missing"})
			return err
		}, codes.NotFound, "Function missing does not exist"},
		{"deleting a missing function", func() error {
			_, err := e.fns.DeleteFunction(ctx, &functionspb.DeleteFunctionRequest{Name: e.parent + "/functions/missing"})
			return err
		}, codes.NotFound, "does not exist"},
		{"a runtime other than Go", func() error {
			f := e.function(src, "Handle", nil)
			f.BuildConfig.Runtime = "python312"
			_, err := e.create(t, "py", f)
			return err
		}, codes.InvalidArgument, "gcpsim builds only the Go runtimes"},
		{"no entry point", func() error {
			_, err := e.create(t, "noentry", e.function(src, "", nil))
			return err
		}, codes.InvalidArgument, "entry_point is required"},
		{"a source never uploaded", func() error {
			f := e.function(&functionspb.Source{Source: &functionspb.Source_StorageSource{StorageSource: &functionspb.StorageSource{Bucket: "nope", Object: "x.zip"}}}, "Handle", nil)
			_, err := e.create(t, "nosource", f)
			return err
		}, codes.InvalidArgument, "Failed to retrieve function source code"},
		{"source that does not compile", func() error {
			_, err := e.create(t, "broken", e.function(broken, "Handle", nil))
			return err
		}, codes.InvalidArgument, "Build failed"},
		{"an update mask path the API lacks", func() error {
			_, err := e.fns.UpdateFunction(ctx, &functionspb.UpdateFunctionRequest{Function: &functionspb.Function{Name: e.parent + "/functions/dup"},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"colour"}}})
			return err
		}, codes.InvalidArgument, "Invalid update_mask path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			wantCode(t, err, c.code)
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
		})
	}
	failed, err := e.fns.GetFunction(ctx, &functionspb.GetFunctionRequest{Name: e.parent + "/functions/broken"})
	if err != nil || failed.State != functionspb.Function_FAILED || len(failed.StateMessages) != 1 {
		t.Fatalf("a function whose build failed: %v %v", failed, err)
	}

	base := e.srv.URL() + "/v2/" + e.parent
	u, err := e.fns.GenerateUploadUrl(ctx, &functionspb.GenerateUploadUrlRequest{Parent: e.parent})
	if err != nil {
		t.Fatal(err)
	}
	runRESTCases(t, []restCase{
		{"an unknown field in the body", "POST", base + "/functions?functionId=x", `{"buildConfig":{"runtime":"go125"},"colour":"red"}`, 400, `"INVALID_ARGUMENT"`},
		{"an unknown field in the build config", "POST", base + "/functions?functionId=x", `{"buildConfig":{"runtime":"go125","colour":"red"}}`, 400, `unknown field \"colour\"`},
		{"a runtime other than Go over REST", "POST", base + "/functions?functionId=x", `{"buildConfig":{"runtime":"nodejs22","entryPoint":"f","source":{"storageSource":{"bucket":"b","object":"o"}}}}`, 400, "gcpsim builds only the Go runtimes"},
		{"a missing function over REST", "GET", base + "/functions/missing", "", 404, `"NOT_FOUND"`},
		{"a duplicate function over REST", "POST", base + "/functions?functionId=dup", `{"buildConfig":{"runtime":"go125","entryPoint":"Handle","source":{"storageSource":{"bucket":"b","object":"o"}}}}`, 409, `"ALREADY_EXISTS"`},
		{"a missing operation", "GET", base + "/operations/missing", "", 404, `"NOT_FOUND"`},
		{"an upload URL with a forged signature", "PUT", strings.Replace(u.UploadUrl, "X-Goog-Signature=", "X-Goog-Signature=00", 1), "zip", 403, "SignatureDoesNotMatch"},
	})
}

// TestFunctionsREST deploys and calls a function through the SDK's REST
// client, as gcloud and the Terraform provider speak
// cloudfunctions.googleapis.com/v2, and polls its operation over REST.
func TestFunctionsREST(t *testing.T) {
	e := newFunctionsEnv(t, Config{})
	ctx := context.Background()
	rest, err := functions.NewFunctionRESTClient(ctx, option.WithEndpoint(e.srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer rest.Close()
	op, err := rest.CreateFunction(ctx, &functionspb.CreateFunctionRequest{Parent: e.parent, FunctionId: "rest", Function: e.function(e.upload(t, legacySource), "Handle", nil)})
	if err != nil {
		t.Fatal(err)
	}
	f, err := op.Wait(ctx)
	if err != nil || f.State != functionspb.Function_ACTIVE {
		t.Fatalf("CreateFunction over REST: %v %v", f, err)
	}
	if got := get(t, f.Url); got != "legacy GET\n" {
		t.Fatalf("answer %q", got)
	}
	if got, err := rest.ListFunctions(ctx, &functionspb.ListFunctionsRequest{Parent: e.parent}).Next(); err != nil || got.Name != f.Name {
		t.Fatalf("ListFunctions over REST: %v %v", got, err)
	}
	rts, err := rest.ListRuntimes(ctx, &functionspb.ListRuntimesRequest{Parent: e.parent})
	if err != nil || rts.Runtimes[0].Name != "go121" {
		t.Fatalf("ListRuntimes over REST: %v %v", rts, err)
	}
	dop, err := rest.DeleteFunction(ctx, &functionspb.DeleteFunctionRequest{Name: f.Name})
	if err == nil {
		err = dop.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("DeleteFunction over REST: %v", err)
	}
}

// TestFunctionsPersist proves a function survives a restart: it answers
// on its new URL, built again on its first request.
func TestFunctionsPersist(t *testing.T) {
	cfg := Config{DataDir: t.TempDir()}
	e := newFunctionsEnv(t, cfg)
	f, err := e.create(t, "kept", e.function(e.upload(t, legacySource), "Handle", nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	cfg.Addr = e.srv.Addr()
	e.srv = startServer(t, cfg)
	got, err := e.fns.GetFunction(context.Background(), &functionspb.GetFunctionRequest{Name: f.Name})
	if err != nil || got.State != functionspb.Function_ACTIVE || got.ServiceConfig.Revision != f.ServiceConfig.Revision {
		t.Fatalf("function after restart: %v %v", got, err)
	}
	if answer := get(t, got.Url); answer != "legacy GET\n" {
		t.Fatalf("answer after restart %q", answer)
	}
}
