package cloudrun

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/compute/metadata"
	fsdk "cloud.google.com/go/firestore"
	logging "cloud.google.com/go/logging/apiv2"
	run "cloud.google.com/go/run/apiv2"

	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
)

// Environment variables of the cloudrun backend's function, besides
// host's and gcphost's (GOOGLE_CLOUD_PROJECT, SOCKERLESS_GCP_ENDPOINT).
const (
	// EnvRegion is the region the jobs run in.
	EnvRegion = "SOCKERLESS_CLOUDRUN_REGION"
	// EnvRepository is the Artifact Registry repository the job images
	// go to (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY).
	EnvRepository = host.EnvWorkloadRepository
	// EnvServiceAccount is the jobs' identity (an email).
	EnvServiceAccount = "SOCKERLESS_CLOUDRUN_SERVICE_ACCOUNT"
	// EnvJobPrefix names the jobs ("sockerless-").
	EnvJobPrefix = "SOCKERLESS_JOB_PREFIX"
)

// Function is the cloudrun backend as a control-plane function.
var Function = gcphost.Function{Name: Backend, Workloads: workloads}

func workloads(ctx context.Context, env gcphost.Env) (gcphost.Workloads, error) {
	project := env.Project
	if project == "" || project == fsdk.DetectProjectID {
		p, err := metadata.ProjectIDWithContext(ctx)
		if err != nil {
			return gcphost.Workloads{}, fmt.Errorf("%s backend: set %s (the metadata server did not say: %v)", Backend, gcphost.EnvProject, err)
		}
		project = p
	}
	cfg := Config{
		Keychain: env.Keychain, Project: project, Region: env.Getenv(EnvRegion), Repository: env.WorkloadRepository,
		AgentImage: env.AgentImage, AgentURL: env.AgentURL, ServiceAccount: env.Getenv(EnvServiceAccount),
		JobPrefix: env.Getenv(EnvJobPrefix),
	}
	var errs [4]error
	cfg.Jobs, errs[0] = run.NewJobsClient(ctx, env.ClientOptions...)
	cfg.Executions, errs[1] = run.NewExecutionsClient(ctx, env.ClientOptions...)
	cfg.Tasks, errs[2] = run.NewTasksClient(ctx, env.ClientOptions...)
	cfg.Logs, errs[3] = logging.NewClient(ctx, env.ClientOptions...)
	d, err := New(ctx, cfg)
	if err = errors.Join(append(errs[:], err)...); err != nil {
		for _, c := range []interface{ Close() error }{cfg.Jobs, cfg.Executions, cfg.Tasks, cfg.Logs} {
			if c != nil {
				c.Close()
			}
		}
		return gcphost.Workloads{}, fmt.Errorf("%s backend: %w", Backend, err)
	}
	return gcphost.Workloads{
		Compute: d, Images: &remoteimages.Images{Name: Backend, Keychain: env.Keychain, Registry: "Artifact Registry"},
		About: [][2]string{{"Project", project}, {"Region", cfg.Region}, {"Workload repository", cfg.Repository}},
	}, nil
}
