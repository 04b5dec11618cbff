package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	su "google.golang.org/api/serviceusage/v1"

	"github.com/sockerless/sockerless/simulators/gcp/tokens"
)

func serviceUsage(t *testing.T, srv *Server) *su.Service {
	t.Helper()
	svc, err := su.NewService(context.Background(), option.WithEndpoint(srv.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// enabledServices lists a project's enabled services as Terraform does:
// the state:ENABLED filter, the names only, page by page.
func enabledServices(t *testing.T, svc *su.Service, project string) []string {
	t.Helper()
	var names []string
	err := svc.Services.List("projects/"+project).PageSize(2).Filter("state:ENABLED").Fields("services/name,nextPageToken").
		Pages(context.Background(), func(r *su.ListServicesResponse) error {
			for _, s := range r.Services {
				names = append(names, s.Name[strings.LastIndex(s.Name, "/")+1:])
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestServiceUsage enables services one at a time and in a batch, reads
// and lists them, follows the operations and disables them, through
// google.golang.org/api/serviceusage/v1 (the client Terraform uses).
func TestServiceUsage(t *testing.T) {
	srv := startServer(t, Config{})
	svc := serviceUsage(t, srv)
	project := newProject(t)
	number := tokens.ProjectNumberOf(project)

	if got := enabledServices(t, svc, project); len(got) != 0 {
		t.Fatalf("a new project has services enabled: %v", got)
	}
	op, err := svc.Services.Enable("projects/"+project+"/services/run.googleapis.com", &su.EnableServiceRequest{}).Do()
	if err != nil || !op.Done || !strings.HasPrefix(op.Name, "operations/") {
		t.Fatalf("Enable: %+v %v", op, err)
	}
	if got, err := svc.Operations.Get(op.Name).Do(); err != nil || !got.Done || !strings.Contains(string(got.Response), `"state":"ENABLED"`) {
		t.Fatalf("Operations.Get %s: %+v %v", op.Name, got, err)
	}
	op, err = svc.Services.BatchEnable("projects/"+project, &su.BatchEnableServicesRequest{
		ServiceIds: []string{"firestore.googleapis.com", "iam.googleapis.com", "artifactregistry.googleapis.com"}}).Do()
	if err != nil || !op.Done || !strings.Contains(string(op.Response), "BatchEnableServicesResponse") {
		t.Fatalf("BatchEnable: %+v %v", op, err)
	}
	want := []string{"artifactregistry.googleapis.com", "firestore.googleapis.com", "iam.googleapis.com", "run.googleapis.com"}
	if got := enabledServices(t, svc, project); !slices.Equal(got, want) {
		t.Fatalf("enabled services: %v, want %v", got, want)
	}
	s, err := svc.Services.Get("projects/" + project + "/services/firestore.googleapis.com").Do()
	if err != nil || s.State != "ENABLED" || s.Name != "projects/"+number+"/services/firestore.googleapis.com" ||
		s.Parent != "projects/"+number || s.Config.Title != "Cloud Firestore API" {
		t.Fatalf("Get: %+v %v", s, err)
	}
	if _, err := svc.Services.Disable("projects/"+project+"/services/firestore.googleapis.com",
		&su.DisableServiceRequest{DisableDependentServices: true}).Do(); err != nil {
		t.Fatal(err)
	}
	if s, err := svc.Services.Get("projects/" + project + "/services/firestore.googleapis.com").Do(); err != nil || s.State != "DISABLED" {
		t.Fatalf("after Disable: %+v %v", s, err)
	}
	// The simulator's own project is named by its number too.
	own := tokens.ProjectNumberOf(DefaultProject)
	if _, err := svc.Services.Enable("projects/"+own+"/services/logging.googleapis.com", &su.EnableServiceRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	if got := enabledServices(t, svc, DefaultProject); !slices.Equal(got, []string{"logging.googleapis.com"}) {
		t.Fatalf("enabled through the project's number: %v", got)
	}
	if got := enabledServices(t, svc, project); slices.Contains(got, "firestore.googleapis.com") {
		t.Fatalf("still enabled after Disable: %v", got)
	}
	all, err := svc.Services.List("projects/" + project).Filter("state:DISABLED").PageSize(200).Do()
	if err != nil || len(all.Services) == 0 {
		t.Fatalf("List state:DISABLED: %v %v", all, err)
	}
	if got, err := svc.Services.BatchGet("projects/" + project).Names("projects/" + project + "/services/run.googleapis.com").Do(); err != nil ||
		len(got.Services) != 1 || got.Services[0].State != "ENABLED" {
		t.Fatalf("BatchGet: %+v %v", got, err)
	}
}

// TestServiceUsageBadInput proves the refusals carry Google's status.
func TestServiceUsageBadInput(t *testing.T) {
	srv := startServer(t, Config{})
	svc := serviceUsage(t, srv)
	project := newProject(t)
	for _, c := range []struct {
		name string
		call func() error
		code int
		text string
	}{
		{"an unknown service", func() error {
			_, err := svc.Services.Enable("projects/"+project+"/services/nosuch.googleapis.com", &su.EnableServiceRequest{}).Do()
			return err
		}, http.StatusForbidden, "Not found or permission denied for service(s): nosuch.googleapis.com"},
		{"an unknown service in a batch", func() error {
			_, err := svc.Services.BatchEnable("projects/"+project, &su.BatchEnableServicesRequest{ServiceIds: []string{"run.googleapis.com", "nosuch.googleapis.com"}}).Do()
			return err
		}, http.StatusForbidden, "nosuch.googleapis.com"},
		{"a malformed project", func() error {
			_, err := svc.Services.Get("projects/Not_A_Project/services/run.googleapis.com").Do()
			return err
		}, http.StatusForbidden, "Permission denied to access project"},
		{"an empty batch", func() error {
			_, err := svc.Services.BatchEnable("projects/"+project, &su.BatchEnableServicesRequest{}).Do()
			return err
		}, http.StatusBadRequest, "serviceIds must name 1 to 20 services"},
		{"an unsupported filter", func() error {
			_, err := svc.Services.List("projects/" + project).Filter("state:MAYBE").Do()
			return err
		}, http.StatusBadRequest, "Invalid filter"},
		{"a missing operation", func() error {
			_, err := svc.Operations.Get("operations/acat.p2-nosuch").Do()
			return err
		}, http.StatusNotFound, "not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var gerr *googleapi.Error
			if err := c.call(); !errors.As(err, &gerr) || gerr.Code != c.code || !strings.Contains(gerr.Message, c.text) {
				t.Fatalf("got %v, want %d %q", err, c.code, c.text)
			}
		})
	}
	// A field the API does not define is refused, as Google refuses it.
	resp, err := http.Post(srv.URL()+"/v1/projects/"+project+"/services/run.googleapis.com:enable", "application/json", strings.NewReader(`{"bogus":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown field: %s", resp.Status)
	}
}
