package run

import (
	"io"
	"strconv"
	"strings"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	mrpb "google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// maxLine is where a line without a newline is split: Cloud Logging's
// 256 KiB entry limit.
const maxLine = 256 << 10

// outputs are a task attempt's stdout and stderr: each line becomes a log
// entry in run.googleapis.com/stdout or /stderr of the project, on the
// cloud_run_job resource, labelled with the execution, task index and
// attempt, as Cloud Run writes a job's output.
func (s *Service) outputs(e *runpb.Execution, index, attempt int32) (io.WriteCloser, io.WriteCloser) {
	if s.logs == nil {
		return taskrun.Discard(), taskrun.Discard()
	}
	m := execRE.FindStringSubmatch(e.Name)
	project, location := m[1], m[2]
	resource := &mrpb.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{
		"project_id": project, "location": location, "job_name": e.Job,
	}}
	labels := map[string]string{
		"run.googleapis.com/execution_name": lastSegment(e.Name),
		"run.googleapis.com/task_index":     strconv.Itoa(int(index)),
		"run.googleapis.com/task_attempt":   strconv.Itoa(int(attempt)),
	}
	return s.logWriter(project, "stdout", resource, labels), s.logWriter(project, "stderr", resource, labels)
}

// logWriter writes each line as a log entry in run.googleapis.com/STREAM
// of project, on resource, with labels.
func (s *Service) logWriter(project, stream string, resource *mrpb.MonitoredResource, labels map[string]string) io.WriteCloser {
	logName := "projects/" + project + "/logs/" + strings.ReplaceAll("run.googleapis.com/"+stream, "/", "%2F")
	return taskrun.Lines(maxLine, func(line string) {
		now := timestamppb.New(s.st.Now())
		// Best effort, as Cloud Run's: a task does not fail because
		// a line could not be logged.
		s.logs.Write([]*loggingpb.LogEntry{{
			LogName: logName, Resource: resource, Labels: labels, Timestamp: now, ReceiveTimestamp: now,
			Payload: &loggingpb.LogEntry_TextPayload{TextPayload: line},
		}})
	})
}

// memoryLimit is the container's memory limit in bytes (0: none), from
// Kubernetes quantities as Cloud Run takes them ("512Mi", "2Gi").
func memoryLimit(c *runpb.Container) int64 {
	q := c.GetResources().GetLimits()["memory"]
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}} {
		if n, ok := strings.CutSuffix(q, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err == nil {
				return v * u.factor
			}
		}
	}
	v, _ := strconv.ParseInt(q, 10, 64)
	return v
}
