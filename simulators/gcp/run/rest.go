package run

import (
	"net/http"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
)

// The REST bindings of the API (run.googleapis.com/v2), as gcloud, the
// Terraform provider and the Go SDK's REST clients call it.
const (
	loc  = `/v2/(projects/[^/:]+/locations/[^/:]+)`
	job  = `/v2/(projects/[^/:]+/locations/[^/:]+/jobs/[^/:]+)`
	exec = `/v2/(projects/[^/:]+/locations/[^/:]+/jobs/[^/:]+/executions/[^/:]+)`
	task = `/v2/(projects/[^/:]+/locations/[^/:]+/jobs/[^/:]+/executions/[^/:]+/tasks/[^/:]+)`
	op   = `/v2/(projects/[^/:]+/locations/[^/:]+/operations/[^/:]+)`
	svc  = `/v2/(projects/[^/:]+/locations/[^/:]+/services/[^/:]+)`
	rev  = `/v2/(projects/[^/:]+/locations/[^/:]+/services/[^/:]+/revisions/[^/:]+)`
)

// REST is the API's REST methods.
func (s *Service) REST() []googlerest.Method {
	j, e, t, o := jobsAPI{s: s}, executionsAPI{s: s}, tasksAPI{s: s}, operationsAPI{s: s}
	sv, r := servicesAPI{s: s}, revisionsAPI{s: s}
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, loc+"/jobs", "parent", "job", j.CreateJob),
		googlerest.Bind(http.MethodGet, loc+"/jobs", "parent", "", j.ListJobs),
		googlerest.Bind(http.MethodGet, job, "name", "", j.GetJob),
		googlerest.Bind(http.MethodPatch, job, "job.name", "job", j.UpdateJob),
		googlerest.Bind(http.MethodDelete, job, "name", "", j.DeleteJob),
		googlerest.Bind(http.MethodPost, job+":run", "name", "*", j.RunJob),
		googlerest.Bind(http.MethodGet, job+"/executions", "parent", "", e.ListExecutions),
		googlerest.Bind(http.MethodGet, exec, "name", "", e.GetExecution),
		googlerest.Bind(http.MethodDelete, exec, "name", "", e.DeleteExecution),
		googlerest.Bind(http.MethodPost, exec+":cancel", "name", "*", e.CancelExecution),
		googlerest.Bind(http.MethodGet, exec+"/tasks", "parent", "", t.ListTasks),
		googlerest.Bind(http.MethodGet, task, "name", "", t.GetTask),
		googlerest.Bind(http.MethodPost, loc+"/services", "parent", "service", sv.CreateService),
		googlerest.Bind(http.MethodGet, loc+"/services", "parent", "", sv.ListServices),
		googlerest.Bind(http.MethodGet, svc, "name", "", sv.GetService),
		googlerest.Bind(http.MethodPatch, svc, "service.name", "service", sv.UpdateService),
		googlerest.Bind(http.MethodDelete, svc, "name", "", sv.DeleteService),
		googlerest.Bind(http.MethodGet, svc+"/revisions", "parent", "", r.ListRevisions),
		googlerest.Bind(http.MethodGet, rev, "name", "", r.GetRevision),
		googlerest.Bind(http.MethodDelete, rev, "name", "", r.DeleteRevision),
		googlerest.Bind(http.MethodGet, loc+"/operations", "name", "", o.ListOperations),
		googlerest.Bind(http.MethodGet, op, "name", "", o.GetOperation),
		googlerest.Bind(http.MethodDelete, op, "name", "", o.DeleteOperation),
	}
}
