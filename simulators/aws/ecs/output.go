package ecs

import (
	"io"

	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// outputs are a container's stdout and stderr: with awslogs, each line
// becomes an event in stream <prefix>/<container>/<task id> as the
// awslogs driver names it; without, output is discarded as on Fargate.
func (s *Service) outputs(t *task, d *containerDef) (io.WriteCloser, io.WriteCloser) {
	lc := d.LogConfiguration
	if lc == nil || s.logs == nil {
		return taskrun.Discard(), taskrun.Discard()
	}
	region, group := logRegion(t, lc), lc.Options["awslogs-group"]
	stream := d.Name + "/" + t.id
	if p := lc.Options["awslogs-stream-prefix"]; p != "" {
		stream = p + "/" + stream
	}
	emit := func(line string) {
		// Best effort, as the awslogs driver: a container does not fail
		// because a log line could not be stored.
		s.logs.Append(region, group, stream, []LogLine{{Time: s.Now(), Message: line}})
	}
	return taskrun.Lines(maxLine, emit), taskrun.Lines(maxLine, emit)
}

// maxLine is where the awslogs driver splits a line without a newline,
// CloudWatch's 256 KiB event limit.
const maxLine = 256 << 10
