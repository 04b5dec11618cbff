package core

import (
	"context"
	"net/http"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// containerStats answers GET /containers/{id}/stats. Backends report
// what they measure; the sandbox meters no per-container CPU or memory,
// so those stay absent rather than invented, and the process count is
// real.
func (c *Core) containerStats(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	st, _ := c.cfg.Compute.Status(ctx, rec.ID)
	now := c.now()
	resp := container.StatsResponse{
		Name: rec.Name, ID: rec.ID, Read: now, PreRead: now.Add(-time.Second), OSType: "linux",
	}
	if rec.running() {
		resp.PidsStats.Current = uint64(st.Procs)
	}
	return jsonReply(http.StatusOK, resp), nil
}
