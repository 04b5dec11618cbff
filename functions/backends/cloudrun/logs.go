package cloudrun

import (
	"context"
	"fmt"
	"strings"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/gcp/cloudlogging"
)

// The logs Cloud Run writes a job container's stdout and stderr to.
const (
	logStdout = "run.googleapis.com/stdout"
	logStderr = "run.googleapis.com/stderr"
)

// Logs reads the container's output across all of its executions
// (every start), in time order, from its job's entries in Cloud Logging
// since the job was made. A container without a job (never started, or
// removed) has none.
func (d *Driver) Logs(ctx context.Context, id, cursor string) ([]core.LogEntry, string, error) {
	job, err := d.cfg.Jobs.GetJob(ctx, &runpb.GetJobRequest{Name: d.jobName(id)})
	if status.Code(err) == codes.NotFound {
		return nil, cursor, nil
	}
	if err != nil {
		return nil, cursor, fmt.Errorf("Cloud Run GetJob: %w", err)
	}
	src := cloudlogging.Source{
		Client: d.cfg.Logs, Project: d.cfg.Project, Logs: []string{logStdout, logStderr},
		Filter: fmt.Sprintf(`resource.type="cloud_run_job" AND resource.labels.location=%q AND resource.labels.job_name=%q`, d.cfg.Region, d.jobID(id)),
		Since:  job.GetCreateTime().AsTime(),
		Stderr: func(log string) bool { return strings.HasSuffix(log, "/stderr") },
	}
	return src.Read(ctx, cursor)
}
