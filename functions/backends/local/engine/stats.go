package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Stats is one sample of the engine container's resource usage, with
// the sample a second before it (PreCPUStats), from which a client
// works out CPU use as `docker stats` does. The counters are the
// engine container's: the agent and the user's processes. It makes the
// driver a core.Meter.
func (d *Driver) Stats(ctx context.Context, id string) (container.StatsResponse, error) {
	r, err := d.engine.ContainerStats(ctx, name(id), client.ContainerStatsOptions{IncludePreviousSample: true})
	if err != nil {
		return container.StatsResponse{}, err
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		return container.StatsResponse{}, fmt.Errorf("engine stats: %w", err)
	}
	// The engine's name and ID for its container mean nothing to a
	// client of Sockerless; core names the container.
	s.Name, s.ID = "", ""
	return s, nil
}
