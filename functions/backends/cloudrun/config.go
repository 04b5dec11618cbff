// Package cloudrun runs containers as Cloud Run job executions: core's
// Compute over the Cloud Run Admin API v2 and Cloud Logging.
//
// A container is one Cloud Run job (<prefix><container id>) whose one
// container runs the container's image made, without any Docker build,
// from the user's image with the agent image's layers appended by
// go-containerregistry and the agent as entrypoint wrapper, pushed to the
// workload repository in Artifact Registry (agentimage.Appended). Each
// start sets the job's template to that start's command line and agent
// token and runs it: one execution of one task, never retried, as a
// Docker container runs once. The agent runs the command and dials home
// to the edge for attach, exec and the exit status. The container's
// stdout and stderr are in Cloud Logging, as Cloud Run writes them; the
// exit code, when no agent reported it, comes from the task's last
// attempt; stop and kill without an agent cancel the execution; docker
// rm deletes the job and its executions.
//
// The driver keeps nothing: every answer comes from Cloud Run, found by
// the job's name.
package cloudrun

import (
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	run "cloud.google.com/go/run/apiv2"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
)

// Backend is the backend's name in `docker info` and in messages.
const Backend = "cloudrun"

// Config wires a Driver to one project's Cloud Run region.
type Config struct {
	Jobs       *run.JobsClient
	Executions *run.ExecutionsClient
	Tasks      *run.TasksClient
	Logs       *logging.Client
	// Keychain logs in to the registries images come from and go to.
	Keychain authn.Keychain
	Project  string
	// Region is where the jobs run (us-central1).
	Region string
	// Repository receives the job images: an Artifact Registry Docker
	// repository (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY).
	Repository string
	// AgentImage holds the agent binary at agentimage.Path.
	AgentImage string
	// AgentURL is where agents dial the edge when the start call did not
	// say (see call.AgentURLHeader).
	AgentURL string
	// ServiceAccount is the jobs' identity (an email); "" is Cloud Run's
	// default, the project's Compute Engine service account.
	ServiceAccount string
	// JobPrefix names the jobs ("sockerless-"); the control plane's
	// service account may manage only jobs with it.
	JobPrefix string
	// Timeout is how long a container may run: the task timeout (default
	// and most: 24 hours).
	Timeout time.Duration
}

func (c Config) check() error {
	return remotecompute.CheckConfig(Backend,
		remotecompute.Need("project", c.Project), remotecompute.Need("region", c.Region),
		remotecompute.Need("workload repository", c.Repository), remotecompute.Need("agent image", c.AgentImage),
		remotecompute.Setting{Name: "Cloud Run and Cloud Logging clients", Set: c.Jobs != nil && c.Executions != nil && c.Tasks != nil && c.Logs != nil})
}

// maxTimeout is Cloud Run's longest task timeout.
const maxTimeout = 24 * time.Hour

// jobID is the job of a container. A job ID has at most 63 characters
// and starts with a letter; 32 hex digits of the id are as unique as the
// whole.
func (d *Driver) jobID(id string) string {
	if len(id) > 32 {
		id = id[:32]
	}
	return d.cfg.JobPrefix + id
}

// parent is the region's resource name, where jobs live.
func (d *Driver) parent() string {
	return "projects/" + d.cfg.Project + "/locations/" + d.cfg.Region
}

// jobName is the full resource name of a container's job.
func (d *Driver) jobName(id string) string { return d.parent() + "/jobs/" + d.jobID(id) }
