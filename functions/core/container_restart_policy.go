package core

import (
	"context"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// Restart policies are the control plane's: when an exit is recorded,
// core decides whether the policy restarts the container and starts it
// again itself, so they hold on every backend.

// restartBackoff is the pause before a restart of a container that ran
// less than restartResetAfter: dockerd's 100 ms, doubled at each
// restart in a row, capped here at restartBackoffMax, since the pause
// holds the exit report that triggers it (dockerd's cap is a minute).
const (
	restartBackoff    = 100 * time.Millisecond
	restartBackoffMax = 1600 * time.Millisecond
	restartResetAfter = 10 * time.Second
	// restartOverdueAfter is how long a container may stay restarting
	// before the next call that looks at it restarts it itself.
	restartOverdueAfter = 30 * time.Second
)

// restartDue says whether r's restart policy restarts it after an exit
// with code: not after docker stop or kill (ManuallyStopped), not past
// on-failure's retry count.
func restartDue(r *containerRecord, code int) bool {
	if r.ManuallyStopped || r.HostConfig == nil {
		return false
	}
	p := r.HostConfig.RestartPolicy
	switch p.Name {
	case container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		return true
	case container.RestartPolicyOnFailure:
		return code != 0 && (p.MaximumRetryCount == 0 || r.RestartCount < p.MaximumRetryCount)
	}
	return false
}

// restartByPolicy starts again a container whose exit left it
// restarting, after the backoff, unless a stop or a removal came first.
// It returns the binds the edge copies in before main starts.
func (c *Core) restartByPolicy(ctx context.Context, rec *containerRecord) []call.Bind {
	started, _ := time.Parse(time.RFC3339Nano, rec.State.StartedAt)
	finished, _ := time.Parse(time.RFC3339Nano, rec.State.FinishedAt)
	if finished.Sub(started) < restartResetAfter {
		delay := restartBackoff << min(rec.RestartCount-1, 4)
		select {
		case <-ctx.Done():
		case <-time.After(min(delay, restartBackoffMax)):
		}
	}
	fresh, _, err := c.findContainer(ctx, rec.ID)
	if err != nil || !fresh.State.Restarting || fresh.Starts != rec.Starts {
		return nil
	}
	binds, err := c.startContainer(context.WithoutCancel(ctx), rec.ID)
	if err != nil && err != errNotModified {
		c.cfg.Log.Warn("restart policy: start failed", "container", rec.ID, "err", err)
	}
	return binds
}

// containerRestartByPolicy is OpContainerRestartByPolicy: the edge asks
// for the restart an exit report answered with ExitRecorded.Restart.
func (c *Core) containerRestartByPolicy(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, _, err := c.findContainer(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	if rec.State.Restarting {
		if binds := c.restartByPolicy(ctx, rec); len(binds) > 0 {
			return started(rec.ID, binds), nil
		}
	}
	return noContent(), nil
}

// restartOverdue restarts a container left restarting past
// restartOverdueAfter: its edge never asked (it died, or the agent never
// had its acknowledgement).
func (c *Core) restartOverdue(ctx context.Context, rec *containerRecord) (*containerRecord, error) {
	finished, err := time.Parse(time.RFC3339Nano, rec.State.FinishedAt)
	if !rec.State.Restarting || err != nil || c.now().Sub(finished) < restartOverdueAfter {
		return rec, nil
	}
	// No edge carried this restart, so none copies binds in: a held
	// main fails when its agent's wait runs out.
	c.restartByPolicy(ctx, rec)
	fresh, _, err := c.findContainer(ctx, rec.ID)
	return fresh, err
}
