package ecs

import (
	"context"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/aws/cwlogs"
)

// logs are the streams the awslogs driver writes for the container: one
// per container of each of its tasks, named <id>/<container>/<task id>.
func (d *Driver) logs(id, container string) cwlogs.Source {
	return cwlogs.Source{Client: d.cfg.Logs, Group: d.cfg.LogGroup, StreamPrefix: id + "/" + container}
}

// Logs reads the main container's output across all of the container's
// tasks (every start), in time order.
func (d *Driver) Logs(ctx context.Context, id, cursor string) ([]core.LogEntry, string, error) {
	return d.logs(id, mainName+"/").Read(ctx, cursor)
}

// deleteLogs deletes every log stream of the container.
func (d *Driver) deleteLogs(ctx context.Context, id string) error {
	return d.logs(id, "").Delete(ctx)
}
