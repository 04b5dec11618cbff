package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"
)

// TestGcloudFunctions runs gcloud functions commands (2nd gen: the
// Cloud Functions v2 API) against the simulator: deploy from a source
// directory (generateUploadUrl, the upload, create), describe, list,
// runtimes, delete, and what is refused. gcloud functions deploy first
// asks Service Usage whether run.googleapis.com is enabled and Resource
// Manager for the project's number, so those two are overridden too.
func TestGcloudFunctions(t *testing.T) {
	s := startServer(t, Config{})
	project := "gcloud-fn"
	src := t.TempDir()
	for name, body := range helloSource {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"CLOUDFUNCTIONS", "SERVICEUSAGE", "CLOUDRESOURCEMANAGER"} {
		t.Setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_"+v, s.URL()+"/")
	}
	region := "--region=us-central1"
	e := &functionsEnv{srv: s, parent: "projects/" + project + "/locations/us-central1"}
	e.dial(t)
	deploy := []string{"functions", "deploy", "hello", "--gen2", "--runtime=go125", region, "--source=" + src, "--entry-point=Hello",
		"--trigger-http", "--no-allow-unauthenticated", "--set-env-vars=GREETING=gcloud",
		// The default build account is Cloud Build's to name; naming one
		// skips asking it.
		"--build-service-account=projects/" + project + "/serviceAccounts/builder@" + project + ".iam.gserviceaccount.com"}
	runGcloud(t, s, project, []gcloudCmd{
		{name: "deploy a Go function", args: deploy, want: "state: ACTIVE"},
		{name: "deploy a runtime gcpsim does not build", args: []string{"functions", "deploy", "py", "--gen2", "--runtime=python312", region,
			"--source=" + pythonSource(t), "--entry-point=f", "--trigger-http", "--no-allow-unauthenticated", deploy[len(deploy)-1]},
			fail: true, want: "gcpsim builds only the Go runtimes"},
	})
	runGcloud(t, s, project, []gcloudCmd{
		{name: "describe", args: []string{"functions", "describe", "hello", region}, want: "entryPoint: Hello"},
		{name: "describe names its URL", args: []string{"functions", "describe", "hello", region, "--format=value(url)"}, want: "http://127.0.0.1:"},
		{name: "list", args: []string{"functions", "list", "--v2", "--regions=us-central1"}, want: "hello  ACTIVE  HTTP Trigger  us-central1  2nd gen"},
		{name: "list every region", args: []string{"functions", "list", "--v2"}, want: "hello"},
		{name: "runtimes", args: []string{"functions", "runtimes", "list", region}, want: "go125"},
		{name: "describe a missing function", args: []string{"functions", "describe", "missing", region}, fail: true, want: "Function missing does not exist"},
	})
	f, err := e.fns.GetFunction(context.Background(), &functionspb.GetFunctionRequest{Name: e.parent + "/functions/hello"})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, f.Url); got != "hello gcloud from hello at /\n" {
		t.Fatalf("the deployed function answered %q", got)
	}
	runGcloud(t, s, project, []gcloudCmd{
		{name: "delete", args: []string{"functions", "delete", "hello", region}, want: "Deleted [projects/" + project + "/locations/us-central1/functions/hello]"},
		{name: "describe the deleted", args: []string{"functions", "describe", "hello", region}, fail: true, want: "404"},
	})
}

// pythonSource is a directory holding what gcloud requires of a Python
// function's source.
func pythonSource(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.py"), []byte("def f(request):\n    return 'hi'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
