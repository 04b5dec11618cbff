package server

import "testing"

// TestGcloudServicesAndProjects runs gcloud's services, projects and
// Firestore TTL commands: what a person setting up a project for the
// GCP backends runs.
func TestGcloudServicesAndProjects(t *testing.T) {
	s := startServer(t, Config{})
	t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE", s.URL()+"/")
	t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER", s.URL()+"/")
	member := "--member=serviceAccount:cp@gcloud-prj.iam.gserviceaccount.com"
	runGcloud(t, s, "gcloud-prj", []gcloudCmd{
		{name: "enable services", args: []string{"services", "enable", "run.googleapis.com", "firestore.googleapis.com"}},
		{name: "list the enabled", args: []string{"services", "list", "--enabled"}, want: "run.googleapis.com"},
		{name: "disable one", args: []string{"services", "disable", "run.googleapis.com"}},
		{name: "describe the disabled", args: []string{"services", "list", "--available", "--filter=config.name=run.googleapis.com", "--format=value(state)"}, want: "DISABLED"},
		{name: "enable an unknown service", args: []string{"services", "enable", "nosuch.googleapis.com"}, fail: true, want: "nosuch.googleapis.com"},
		{name: "describe the project", args: []string{"projects", "describe", "gcloud-prj"}, want: "lifecycleState: ACTIVE"},
		{name: "grant a role", args: []string{"projects", "add-iam-policy-binding", "gcloud-prj", member, "--role=roles/datastore.user", "--condition=None"}, want: "roles/datastore.user"},
		{name: "read the policy", args: []string{"projects", "get-iam-policy", "gcloud-prj"}, want: "serviceAccount:cp@gcloud-prj.iam.gserviceaccount.com"},
		{name: "create a database", args: []string{"firestore", "databases", "create", "--database=state", "--location=nam5"}, want: "type: FIRESTORE_NATIVE"},
		{name: "set a TTL policy", args: []string{"firestore", "fields", "ttls", "update", "exp", "--collection-group=kv", "--enable-ttl", "--database=state"}, want: "ACTIVE"},
		{name: "list TTL policies", args: []string{"firestore", "fields", "ttls", "list", "--database=state"}, want: "exp"},
	})
}
