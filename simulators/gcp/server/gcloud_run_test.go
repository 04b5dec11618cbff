package server

import (
	"strings"
	"testing"
)

// regionalRun is the environment gcloud run needs to reach the
// simulator: gcloud makes Cloud Run's regional endpoint by prefixing the
// region to the override's host (us-central1-run.googleapis.com), which
// would make a loopback address a name that does not resolve; so the
// override is a name (run.gcpsim.test) and gcloud's HTTP proxy is the
// simulator, which serves the request whatever host it names, and reads
// the region from it.
func regionalRun(s *Server) []string {
	port := s.Addr()[strings.LastIndex(s.Addr(), ":")+1:]
	return []string{"CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN=http://run.gcpsim.test:" + port + "/",
		"CLOUDSDK_PROXY_TYPE=http", "CLOUDSDK_PROXY_ADDRESS=127.0.0.1", "CLOUDSDK_PROXY_PORT=" + port}
}

// TestGcloudRunServices runs gcloud run services commands, which speak
// Cloud Run's v1 (Knative) API, against services deployed with the v2
// API: describe, list, delete, and what is refused.
func TestGcloudRunServices(t *testing.T) {
	e := newServicesEnv(t)
	project := strings.Split(e.parent, "/")[1]
	svc := e.deploy(t, "hello", e.serviceOf(serveScript, greeting("gcloud")))
	region := "--region=us-central1"
	runGcloud(t, e.srv, project, []gcloudCmd{
		{name: "describe", args: []string{"run", "services", "describe", "hello", region}, want: "URL: " + svc.Uri},
		{name: "describe as YAML", args: []string{"run", "services", "describe", "hello", region, "--format=yaml"}, want: "latestReadyRevisionName: " + svc.LatestReadyRevision[strings.LastIndex(svc.LatestReadyRevision, "/")+1:]},
		{name: "list", args: []string{"run", "services", "list", region}, want: "hello"},
		{name: "list another region", args: []string{"run", "services", "list", "--region=europe-west1"}, want: "Listed 0 items."},
		{name: "describe a missing service", args: []string{"run", "services", "describe", "missing", region}, fail: true, want: "Cannot find service [missing]"},
		{name: "update is refused, saying to use v2", args: []string{"run", "services", "update", "hello", region, "--update-env-vars=A=B"}, fail: true, want: "v2 API"},
		{name: "delete", args: []string{"run", "services", "delete", "hello", region}, want: "Deleted service [hello]"},
		{name: "describe the deleted", args: []string{"run", "services", "describe", "hello", region}, fail: true, want: "Cannot find service [hello]"},
	}, regionalRun(e.srv)...)
}
