package backends

import (
	"testing"

	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

// TestGCPCloudRun drives the cloudrun backend with the real docker CLI:
// the edge binary (--transport gcp) posts each call to the control
// plane as a Cloud Run function (SOCKERLESS_BACKEND=cloudrun) over the
// simulator's Firestore, whose driver runs each container as a Cloud Run
// job execution in the simulator, of the image with the agent appended
// and pushed to its Artifact Registry; the agent dials the edge.
func TestGCPCloudRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the GCP simulator, the function and the edge: not in -short")
	}
	dir := t.TempDir()
	sim := gcpsimtest.Simulator(t, dir)
	w := gcpsimtest.NewWorkloads(t, dir, sim)
	fn := startGCPFunction(t, dir, sim, "SOCKERLESS_BACKEND=cloudrun", "SOCKERLESS_GCP_ENDPOINT="+sim,
		"GCE_METADATA_HOST="+sim, "GOOGLE_APPLICATION_CREDENTIALS=", "HOME="+t.TempDir(),
		"SOCKERLESS_CLOUDRUN_REGION="+gcpsimtest.Region, "SOCKERLESS_WORKLOAD_REPOSITORY="+w.Repository,
		"SOCKERLESS_AGENT_IMAGE="+w.AgentImage)
	e, img := startGCPEdge(t, dir, sim, fn)

	steps := []gcpStep{
		{"pull", []string{"pull", img}, 0, "", ""},
		{"run --rm echo", []string{"run", "--rm", img, "echo", "hi"}, 0, "entrypoint echo hi", ""},
		{"run, kept", []string{"run", "--name", "kept", "--entrypoint", "sh", img, "-c", "echo bye; echo oops >&2; exit 3"}, 3, "bye", "oops"},
		{"ps -a lists it exited", []string{"ps", "-a", "--format", "{{.Names}} {{.Status}}"}, 0, "kept Exited (3)", ""},
		{"logs reads Cloud Logging, streams apart", []string{"logs", "kept"}, 0, "bye", "oops"},
		{"env, workdir and user reach the command", []string{"run", "--rm", "-e", "GREETING=hello", "-w", "/tmp", "-u", "nobody",
			"--entrypoint", "sh", img, "-c", `echo "$GREETING from $(pwd) as $(id -u)"`}, 0, "hello from /tmp as 65534", ""},
		{"run -d", []string{"run", "-d", "--name", "sleeper", "--entrypoint", "sh", img, "-c", "sleep 600"}, 0, "", ""},
		{"kill", []string{"kill", "sleeper"}, 0, "sleeper", ""},
		{"rm", []string{"rm", "-f", "kept", "sleeper"}, 0, "kept", ""},
		{"ps -a is empty", []string{"ps", "-a", "-q"}, 0, "", ""},
		{"info names the backend", []string{"info", "--format", "{{json .}}"}, 0, "cloudrun", ""},
		{"a published port is refused", []string{"run", "--rm", "-p", "8080:80", img}, 125, "",
			"publishing ports is not supported by the cloudrun backend"},
		{"a bind mount is refused", []string{"run", "--rm", "-v", "/tmp:/data", img}, 125, "",
			"bind mounts are not supported by the cloudrun backend"},
		{"a variable Cloud Run reserves is refused", []string{"run", "--rm", "-e", "CLOUD_RUN_JOB=x", img}, 125, "",
			"Cloud Run reserves it"},
	}
	for _, st := range steps {
		st.run(t, e)
	}
}
