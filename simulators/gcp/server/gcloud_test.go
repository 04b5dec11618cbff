package server

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// gcloudCmd is one gcloud command and what its output must hold.
type gcloudCmd struct {
	name string
	args []string
	want string // in stdout+stderr
	fail bool   // the command must fail
}

// runGcloud runs gcloud commands in order against the simulator, as a
// user does with api_endpoint_overrides and credentials disabled; it
// skips when gcloud is not installed or in -short mode (each command
// takes seconds). extraEnv is set last, over the rest.
func runGcloud(t *testing.T, s *Server, project string, cmds []gcloudCmd, extraEnv ...string) {
	t.Helper()
	bin, err := exec.LookPath("gcloud")
	if err != nil {
		t.Skip("gcloud is not installed")
	}
	if testing.Short() {
		t.Skip("gcloud commands take seconds each")
	}
	cfg := t.TempDir()
	env := append(os.Environ(),
		"CLOUDSDK_CONFIG="+cfg, "CLOUDSDK_CORE_PROJECT="+project, "CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true",
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1", "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1", "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="+s.URL()+"/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="+s.URL()+"/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_FIRESTORE="+s.URL()+"/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="+s.URL()+"/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM="+s.URL()+"/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE="+s.URL()+"/storage/v1/",
	)
	env = append(env, extraEnv...)
	for _, c := range cmds {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if (err != nil) != c.fail || !strings.Contains(string(out), c.want) {
				t.Fatalf("gcloud %s: %v (want failure %v)\n%s\nwant output holding %q", strings.Join(c.args, " "), err, c.fail, out, c.want)
			}
		})
	}
}

// TestGcloudArtifacts runs gcloud's artifacts repositories commands.
func TestGcloudArtifacts(t *testing.T) {
	s := startServer(t, Config{})
	loc := "--location=us-central1"
	runGcloud(t, s, "gcloud-ar", []gcloudCmd{
		{name: "create a docker repository", args: []string{"artifacts", "repositories", "create", "imgs", "--repository-format=docker", loc, "--description=hello"}, want: "Created repository [imgs]"},
		{name: "create it again", args: []string{"artifacts", "repositories", "create", "imgs", "--repository-format=docker", loc}, fail: true, want: "ALREADY_EXISTS"},
		{name: "a format not simulated", args: []string{"artifacts", "repositories", "create", "npmrepo", "--repository-format=npm", loc}, fail: true, want: "only DOCKER"},
		{name: "list", args: []string{"artifacts", "repositories", "list", loc}, want: "imgs        DOCKER  STANDARD_REPOSITORY  hello"},
		{name: "describe", args: []string{"artifacts", "repositories", "describe", "imgs", loc}, want: "registryUri: us-central1-docker.pkg.dev/gcloud-ar/imgs"},
		{name: "update", args: []string{"artifacts", "repositories", "update", "imgs", loc, "--description=changed", "--update-labels=team=a"}, want: "description: changed"},
		{name: "delete", args: []string{"artifacts", "repositories", "delete", "imgs", loc}, want: "Deleted repository [imgs]"},
		{name: "describe the deleted", args: []string{"artifacts", "repositories", "describe", "imgs", loc}, fail: true, want: "NOT_FOUND"},
	})
}

// TestGcloudStorage runs gcloud storage's bucket and object commands.
func TestGcloudStorage(t *testing.T) {
	s := startServer(t, Config{})
	file := t.TempDir() + "/hi.txt"
	if err := os.WriteFile(file, []byte("hello gcloud\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGcloud(t, s, "gcloud-gcs", []gcloudCmd{
		{name: "create a bucket", args: []string{"storage", "buckets", "create", "gs://gcloud-bkt", "--location=us-east1"}, want: "Creating gs://gcloud-bkt/"},
		{name: "copy a file up", args: []string{"storage", "cp", file, "gs://gcloud-bkt/dir/hi.txt"}, want: "Copying file://"},
		{name: "list the bucket", args: []string{"storage", "ls", "gs://gcloud-bkt/"}, want: "gs://gcloud-bkt/dir/"},
		{name: "list long", args: []string{"storage", "ls", "-l", "gs://gcloud-bkt/dir/"}, want: "TOTAL: 1 objects, 13 bytes"},
		{name: "cat the object", args: []string{"storage", "cat", "gs://gcloud-bkt/dir/hi.txt"}, want: "hello gcloud"},
		{name: "describe the object", args: []string{"storage", "objects", "describe", "gs://gcloud-bkt/dir/hi.txt"}, want: "md5_hash:"},
		{name: "describe the bucket", args: []string{"storage", "buckets", "describe", "gs://gcloud-bkt"}, want: "location_type: region"},
		{name: "remove the object", args: []string{"storage", "rm", "gs://gcloud-bkt/dir/hi.txt"}, want: "Removing gs://gcloud-bkt/dir/hi.txt"},
		{name: "delete the bucket", args: []string{"storage", "buckets", "delete", "gs://gcloud-bkt"}, want: "Removing gs://gcloud-bkt/"},
		{name: "describe the deleted bucket", args: []string{"storage", "buckets", "describe", "gs://gcloud-bkt"}, fail: true, want: "not found: 404"},
	})
}

// TestGcloudFirestoreDatabases runs gcloud firestore databases commands.
func TestGcloudFirestoreDatabases(t *testing.T) {
	s := startServer(t, Config{})
	runGcloud(t, s, "gcloud-fs", []gcloudCmd{
		{name: "create a database", args: []string{"firestore", "databases", "create", "--database=app-db", "--location=nam5"}, want: "type: FIRESTORE_NATIVE"},
		{name: "describe it", args: []string{"firestore", "databases", "describe", "--database=app-db"}, want: "name: projects/gcloud-fs/databases/app-db"},
		{name: "list", args: []string{"firestore", "databases", "list"}, want: "locationId: nam5"},
		{name: "delete it", args: []string{"firestore", "databases", "delete", "--database=app-db"}, want: "deleteTime:"},
		{name: "describe the deleted", args: []string{"firestore", "databases", "describe", "--database=app-db"}, fail: true, want: "NOT_FOUND"},
	})
}
