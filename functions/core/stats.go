package core

import (
	"context"
	"net/http"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// Meter is what a backend that measures its containers' CPU, memory and
// I/O offers beyond Compute (the engine runtime, from the engine's own
// counters). It is optional.
type Meter interface {
	// Stats is one sample with the one before it (PreCPUStats), as
	// `docker stats` computes CPU use from; core fills in the name and
	// ID.
	Stats(ctx context.Context, id string) (container.StatsResponse, error)
}

// containerStats answers GET /containers/{id}/stats. Backends report
// what they measure; the sandbox meters no per-container CPU or memory,
// so those stay absent rather than invented, and the process count is
// real.
func (c *Core) containerStats(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	now := c.now()
	resp := container.StatsResponse{Read: now, PreRead: now.Add(-time.Second)}
	if m, ok := c.cfg.Compute.(Meter); ok && rec.running() {
		if resp, err = m.Stats(ctx, rec.ID); err != nil {
			return call.Reply{}, errorf(http.StatusInternalServerError, "stats of %s: %v", rec.Name, err)
		}
	} else if rec.running() {
		st, _ := c.compute.Status(ctx, rec.ID)
		resp.PidsStats.Current = uint64(st.Procs)
	}
	resp.Name, resp.ID, resp.OSType = rec.Name, rec.ID, "linux"
	return jsonReply(http.StatusOK, resp), nil
}
