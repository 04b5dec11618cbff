package core

import (
	"context"
	"net/http"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/functions/call"
)

// Pauser is what a backend whose runtime can freeze a workload's
// processes offers (docker pause). Without it, pause is refused saying
// the backend cannot.
type Pauser interface {
	Pause(ctx context.Context, id string) error
	Unpause(ctx context.Context, id string) error
}

func (c *Core) containerPause(ctx context.Context, in call.Call) (call.Reply, error) {
	return c.setPaused(ctx, in.Var("name"), true)
}

func (c *Core) containerUnpause(ctx context.Context, in call.Call) (call.Reply, error) {
	return c.setPaused(ctx, in.Var("name"), false)
}

// setPaused freezes or thaws a running container's processes through
// the backend, with dockerd's answers for a container in the wrong state.
func (c *Core) setPaused(ctx context.Context, ref string, pause bool) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, ref)
	if err != nil {
		return call.Reply{}, err
	}
	switch {
	case !rec.running():
		return call.Reply{}, conflict("Container %s is not running", rec.ID)
	case pause && rec.State.Paused:
		return call.Reply{}, conflict("Container %s is already paused", rec.ID)
	case !pause && !rec.State.Paused:
		return call.Reply{}, conflict("Container %s is not paused", rec.ID)
	}
	p, ok := c.cfg.Compute.(Pauser)
	if !ok {
		return call.Reply{}, errorf(http.StatusNotImplemented, "the %s backend cannot pause containers: its runtime has no way to freeze a workload's processes", c.cfg.Backend)
	}
	do, action := p.Unpause, events.ActionUnPause
	if pause {
		do, action = p.Pause, events.ActionPause
	}
	if err := do(ctx, rec.ID); err != nil {
		return call.Reply{}, errorf(http.StatusInternalServerError, "%v", err)
	}
	rec, err = c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		if !r.running() {
			return errSkipWrite
		}
		r.State.Paused, r.State.Status = pause, container.StateRunning
		if pause {
			r.State.Status = container.StatePaused
		}
		return nil
	})
	if err != nil {
		return call.Reply{}, err
	}
	c.emitContainer(ctx, rec, action, nil)
	return noContent(), nil
}

// refusePaused is dockerd's answer to stopping or signalling a paused
// container.
func refusePaused(rec *containerRecord) error {
	if rec.State.Paused {
		return conflict("Container %s is paused. Unpause the container before stopping or killing", rec.ID)
	}
	return nil
}
