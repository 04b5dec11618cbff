package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/logadmin"
	run "cloud.google.com/go/run/apiv2"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
)

// serveScript answers each HTTP request with "hello $K_SERVICE $GREETING"
// on $PORT, one connection at a time, with the sandbox's nc.
const serveScript = `while true; do printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello %s %s\n' "$K_SERVICE" "$GREETING" | nc -l -p "$PORT"; done`

// servicesEnv is a runEnv with the Services and Revisions clients.
type servicesEnv struct {
	*runEnv
	svcs *run.ServicesClient
	revs *run.RevisionsClient
}

func newServicesEnv(t testing.TB) *servicesEnv {
	t.Helper()
	return newServicesEnvOn(t, newRunEnv(t, Config{}))
}

// newServicesEnvOn dials the Services and Revisions clients of re's
// simulator.
func newServicesEnvOn(t testing.TB, re *runEnv) *servicesEnv {
	t.Helper()
	e := &servicesEnv{runEnv: re}
	opts := []option.ClientOption{option.WithEndpoint(e.srv.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
	var err error
	if e.svcs, err = run.NewServicesClient(context.Background(), opts...); err != nil {
		t.Fatal(err)
	}
	if e.revs, err = run.NewRevisionsClient(context.Background(), opts...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.svcs.Close(); e.revs.Close() })
	return e
}

// serviceOf is a service whose container runs script with sh -c.
func (e *servicesEnv) serviceOf(script string, env ...*runpb.EnvVar) *runpb.Service {
	return &runpb.Service{Template: &runpb.RevisionTemplate{Containers: []*runpb.Container{{
		Image: e.image, Command: []string{"sh", "-c"}, Args: []string{script}, Env: env,
	}}}}
}

func (e *servicesEnv) deploy(t testing.TB, id string, svc *runpb.Service) *runpb.Service {
	t.Helper()
	ctx := context.Background()
	op, err := e.svcs.CreateService(ctx, &runpb.CreateServiceRequest{Parent: e.parent, ServiceId: id, Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func greeting(v string) *runpb.EnvVar {
	return &runpb.EnvVar{Name: "GREETING", Values: &runpb.EnvVar_Value{Value: v}}
}

// get answers GET url's body, failing the test unless it is 200 OK.
func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s %v", url, resp.StatusCode, b, err)
	}
	return string(b)
}

// TestRunServices deploys a service with the Go SDK, calls its URL, and
// gets, lists, updates (a new revision answers) and deletes it.
func TestRunServices(t *testing.T) {
	e := newServicesEnv(t)
	ctx := context.Background()
	svc := e.deploy(t, "hello", e.serviceOf(serveScript, greeting("one")))
	ready := svc.TerminalCondition
	if ready.GetState() != runpb.Condition_CONDITION_SUCCEEDED || !strings.HasPrefix(svc.Uri, "http://127.0.0.1:") ||
		svc.LatestReadyRevision != e.parent+"/services/hello/revisions/hello-00001-"+svc.LatestReadyRevision[len(svc.LatestReadyRevision)-3:] {
		t.Fatalf("created service: %v", svc)
	}
	t.Run("its URL answers from an instance", func(t *testing.T) {
		for range 3 {
			if got := get(t, svc.Uri+"/any/path"); got != "hello hello one\n" {
				t.Fatalf("answer %q", got)
			}
		}
	})
	t.Run("get", func(t *testing.T) {
		got, err := e.svcs.GetService(ctx, &runpb.GetServiceRequest{Name: svc.Name})
		if err != nil || got.Uri != svc.Uri || got.Generation != 1 || got.Reconciling {
			t.Fatalf("GetService: %v %v", got, err)
		}
	})
	t.Run("list", func(t *testing.T) {
		e.deploy(t, "other", e.serviceOf(serveScript))
		var names []string
		for _, s := range all[*runpb.Service](t, e.svcs.ListServices(ctx, &runpb.ListServicesRequest{Parent: e.parent})) {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != e.parent+"/services/hello,"+e.parent+"/services/other" {
			t.Fatalf("ListServices: %v", names)
		}
	})
	t.Run("update makes a revision that answers", func(t *testing.T) {
		cur, _ := e.svcs.GetService(ctx, &runpb.GetServiceRequest{Name: svc.Name})
		cur.Template.Containers[0].Env = []*runpb.EnvVar{greeting("two")}
		op, err := e.svcs.UpdateService(ctx, &runpb.UpdateServiceRequest{Service: cur})
		if err != nil {
			t.Fatal(err)
		}
		up, err := op.Wait(ctx)
		if err != nil || up.Generation != 2 || !strings.Contains(up.LatestReadyRevision, "/revisions/hello-00002-") || up.Uri != svc.Uri {
			t.Fatalf("UpdateService: %v %v", up, err)
		}
		if got := get(t, svc.Uri); got != "hello hello two\n" {
			t.Fatalf("answer after the update %q", got)
		}
	})
	t.Run("revisions", func(t *testing.T) {
		revs := all[*runpb.Revision](t, e.revs.ListRevisions(ctx, &runpb.ListRevisionsRequest{Parent: svc.Name}))
		if len(revs) != 2 {
			t.Fatalf("ListRevisions: %v", revs)
		}
		r, err := e.revs.GetRevision(ctx, &runpb.GetRevisionRequest{Name: revs[0].Name})
		if err != nil || r.Service != svc.Name || r.Containers[0].Image != e.image {
			t.Fatalf("GetRevision: %v %v", r, err)
		}
		cur, _ := e.svcs.GetService(ctx, &runpb.GetServiceRequest{Name: svc.Name})
		op, err := e.revs.DeleteRevision(ctx, &runpb.DeleteRevisionRequest{Name: cur.LatestReadyRevision})
		if err == nil {
			_, err = op.Wait(ctx)
		}
		wantCode(t, err, codes.FailedPrecondition) // the revision serving traffic
		if op, err = e.revs.DeleteRevision(ctx, &runpb.DeleteRevisionRequest{Name: revs[0].Name}); err == nil {
			_, err = op.Wait(ctx)
		}
		if err != nil {
			t.Fatalf("deleting the first revision: %v", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		op, err := e.svcs.DeleteService(ctx, &runpb.DeleteServiceRequest{Name: svc.Name})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := op.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = e.svcs.GetService(ctx, &runpb.GetServiceRequest{Name: svc.Name})
		wantCode(t, err, codes.NotFound)
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err := http.Get(svc.Uri); err != nil {
				break // the URL is gone with the service
			}
			if time.Now().After(deadline) {
				t.Fatal("the deleted service's URL still answers")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestRunServicesBadInput proves what Cloud Run refuses is refused, with
// its codes.
func TestRunServicesBadInput(t *testing.T) {
	e := newServicesEnv(t)
	ctx := context.Background()
	e.deploy(t, "dup", e.serviceOf(serveScript))
	create := func(id string, svc *runpb.Service) error {
		op, err := e.svcs.CreateService(ctx, &runpb.CreateServiceRequest{Parent: e.parent, ServiceId: id, Service: svc})
		if err == nil {
			_, err = op.Wait(ctx)
		}
		return err
	}
	for _, c := range []struct {
		name string
		err  func() error
		code codes.Code
		want string
	}{
		{"a duplicate service", func() error { return create("dup", e.serviceOf(serveScript)) }, codes.AlreadyExists, "already exists"},
		{"a missing service", func() error {
			_, err := e.svcs.GetService(ctx, &runpb.GetServiceRequest{Name: e.parent + "/services/missing"})
			return err
		}, codes.NotFound, "of kind 'SERVICE'"},
		{"deleting a missing service", func() error {
			_, err := e.svcs.DeleteService(ctx, &runpb.DeleteServiceRequest{Name: e.parent + "/services/missing"})
			return err
		}, codes.NotFound, "does not exist"},
		{"a missing revision", func() error {
			_, err := e.revs.GetRevision(ctx, &runpb.GetRevisionRequest{Name: e.parent + "/services/dup/revisions/nope"})
			return err
		}, codes.NotFound, "of kind 'REVISION'"},
		{"an invalid id", func() error { return create("Bad_Id", e.serviceOf(serveScript)) }, codes.InvalidArgument, "service_id"},
		{"no container", func() error { return create("empty", &runpb.Service{Template: &runpb.RevisionTemplate{}}) }, codes.InvalidArgument, "a service needs a container"},
		{"a container that does not listen", func() error { return create("quits", e.serviceOf("echo bye; exit 3")) }, codes.FailedPrecondition, "PORT="},
		{"a deployment whose service is deleted before it is ready", func() error {
			op, err := e.svcs.CreateService(ctx, &runpb.CreateServiceRequest{Parent: e.parent, ServiceId: "gone", Service: e.serviceOf("sleep 30")})
			if err != nil {
				return err
			}
			dop, err := e.svcs.DeleteService(ctx, &runpb.DeleteServiceRequest{Name: e.parent + "/services/gone"})
			if err == nil {
				_, err = dop.Wait(ctx)
			}
			if err != nil {
				return err
			}
			_, err = op.Wait(ctx)
			return err
		}, codes.Aborted, "was deleted or replaced"},
		{"an image that cannot be pulled", func() error {
			svc := e.serviceOf(serveScript)
			svc.Template.Containers[0].Image = e.reg + "/missing:v1"
			return create("nopull", svc)
		}, codes.FailedPrecondition, "could not be pulled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			wantCode(t, err, c.code)
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to say %q", err, c.want)
			}
		})
	}
}

// TestRunServicesREST drives services through the SDK's REST client, as
// gcloud and the Terraform provider speak run.googleapis.com/v2, and
// proves bad REST requests get Google's JSON errors.
func TestRunServicesREST(t *testing.T) {
	e := newServicesEnv(t)
	ctx := context.Background()
	svcs, err := run.NewServicesRESTClient(ctx, option.WithEndpoint(e.srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer svcs.Close()
	op, err := svcs.CreateService(ctx, &runpb.CreateServiceRequest{Parent: e.parent, ServiceId: "rest", Service: e.serviceOf(serveScript, greeting("rest"))})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := op.Wait(ctx)
	if err != nil || svc.TerminalCondition.GetState() != runpb.Condition_CONDITION_SUCCEEDED {
		t.Fatalf("CreateService over REST: %v %v", svc, err)
	}
	if got := get(t, svc.Uri); got != "hello rest rest\n" {
		t.Fatalf("answer %q", got)
	}
	if got, err := svcs.GetService(ctx, &runpb.GetServiceRequest{Name: svc.Name}); err != nil || got.Uid != svc.Uid {
		t.Fatalf("GetService over REST: %v %v", got, err)
	}
	if got, err := svcs.ListServices(ctx, &runpb.ListServicesRequest{Parent: e.parent}).Next(); err != nil || got.Name != svc.Name {
		t.Fatalf("ListServices over REST: %v %v", got, err)
	}
	base := e.srv.URL() + "/v2/" + e.parent
	body := `{"template":{"containers":[{"image":"` + e.image + `","command":["sh","-c"],"args":["` + strings.ReplaceAll(serveScript, `"`, `\"`) + `"]}]}}`
	runRESTCases(t, []restCase{
		{"an unknown field in the body", "POST", base + "/services?serviceId=x", `{"template":{"containers":[{"image":"i"}]},"colour":"red"}`, 400, `"INVALID_ARGUMENT"`},
		{"an unknown field in the container", "POST", base + "/services?serviceId=x", `{"template":{"containers":[{"image":"i","colour":"red"}]}}`, 400, `unknown field \"colour\"`},
		{"malformed JSON", "POST", base + "/services?serviceId=x", `{"template":`, 400, `"INVALID_ARGUMENT"`},
		{"a missing service", "GET", base + "/services/missing", "", 404, `"NOT_FOUND"`},
		{"a duplicate service", "POST", base + "/services?serviceId=rest", body, 409, `"ALREADY_EXISTS"`},
	})
	dop, err := svcs.DeleteService(ctx, &runpb.DeleteServiceRequest{Name: svc.Name})
	if err == nil {
		_, err = dop.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("DeleteService over REST: %v", err)
	}
}

// TestRunServicesPersist proves a service survives a restart, answering
// on a URL of the new process's, and that its instance's output is in
// Cloud Logging on the cloud_run_revision resource.
func TestRunServicesPersist(t *testing.T) {
	cfg := Config{DataDir: t.TempDir()}
	e := newServicesEnvOn(t, newRunEnv(t, cfg))
	ctx := context.Background()
	srv := e.srv
	svc := e.deploy(t, "kept", e.serviceOf("echo instance up; "+serveScript, greeting("again")))
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	cfg.Addr = srv.Addr()
	e.srv = startServer(t, cfg)
	got, err := e.svcs.GetService(ctx, &runpb.GetServiceRequest{Name: svc.Name})
	if err != nil || got.Uid != svc.Uid || got.LatestReadyRevision != svc.LatestReadyRevision {
		t.Fatalf("service after restart: %v %v", got, err)
	}
	if answer := get(t, got.Uri); answer != "hello kept again\n" {
		t.Fatalf("answer after restart %q", answer)
	}
	_, r := logClients(t, e.srv, strings.Split(e.parent, "/")[1])
	lines, err := readLog(t, r, logadmin.Filter(`resource.type="cloud_run_revision" AND resource.labels.service_name="kept" AND textPayload="instance up"`))
	if err != nil || len(lines) != 2 { // once before the restart, once after
		t.Fatalf("the instances' output in Cloud Logging: %q %v", lines, err)
	}
}
