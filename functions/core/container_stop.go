package core

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"syscall"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/agent/signals"
	"github.com/sockerless/sockerless/functions/call"
)

// defaultStopTimeout is dockerd's, in seconds.
const defaultStopTimeout = 10

func (c *Core) containerKill(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	if !rec.running() {
		return call.Reply{}, conflict("cannot kill container: %s: container %s is not running", in.Var("name"), rec.ID)
	}
	sig := in.Query.Get("signal")
	if sig == "" {
		sig = "SIGKILL"
	}
	num, err := parseSignal(sig)
	if err != nil {
		return call.Reply{}, err
	}
	if err := refusePaused(rec); err != nil {
		return call.Reply{}, err
	}
	if err := c.stoppedByUser(ctx, rec.ID); err != nil {
		return call.Reply{}, err
	}
	if in.Query.Get(call.QueryForceDriver) == "1" {
		// The agent is gone: only the driver can end the workload.
		return noContent(), c.stopByDriver(ctx, rec, 128+int(num))
	}
	c.emitContainer(ctx, rec, events.ActionKill, map[string]string{"signal": strconv.Itoa(int(num))})
	if num == syscall.SIGKILL {
		// dockerd answers a SIGKILL once the container has stopped, so an
		// inspect or remove right after sees it stopped: the edge stops
		// it as for docker stop, whose first signal is this one.
		return call.Reply{Status: http.StatusNoContent, Stream: &call.Stream{
			Kind: call.StreamStop, Container: rec.ID, Signal: strconv.Itoa(int(num)), Timeout: defaultStopTimeout, Running: true,
		}}, nil
	}
	return call.Reply{Status: http.StatusNoContent, Stream: &call.Stream{
		Kind: call.StreamSignal, Container: rec.ID, Signal: strconv.Itoa(int(num)), Running: true,
	}}, nil
}

func (c *Core) containerStop(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	if err := refusePaused(rec); err != nil {
		return call.Reply{}, err
	}
	if err := c.stoppedByUser(ctx, rec.ID); err != nil {
		return call.Reply{}, err
	}
	if rec.State.Restarting {
		return noContent(), nil // stoppedByUser called the restart off
	}
	if !rec.running() {
		return call.Reply{}, errNotModified
	}
	st, err := c.stopStream(ctx, rec, in)
	if err != nil {
		return call.Reply{}, err
	}
	return call.Reply{Status: http.StatusNoContent, Stream: st}, nil
}

// containerRestart stops a running container through the edge (which
// then calls start) or starts a stopped one directly.
func (c *Core) containerRestart(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	if !rec.running() {
		binds, err := c.startContainer(ctx, rec.ID)
		if err != nil && err != errNotModified {
			return call.Reply{}, err
		}
		c.emitContainer(ctx, rec, events.ActionRestart, nil)
		if len(binds) > 0 {
			return started(rec.ID, binds), nil
		}
		return noContent(), nil
	}
	// The stop is the user's: the edge then starts it again itself.
	if err := c.stoppedByUser(ctx, rec.ID); err != nil {
		return call.Reply{}, err
	}
	st, err := c.stopStream(ctx, rec, in)
	if err != nil {
		return call.Reply{}, err
	}
	return call.Reply{Status: http.StatusNoContent, Stream: st}, nil
}

func (c *Core) stopStream(ctx context.Context, rec *containerRecord, in call.Call) (*call.Stream, error) {
	sig := in.Query.Get("signal")
	if sig == "" {
		sig = rec.Config.StopSignal
	}
	if sig == "" {
		sig = "SIGTERM"
	}
	num, err := parseSignal(sig)
	if err != nil {
		return nil, err
	}
	timeout := defaultStopTimeout
	if rec.Config.StopTimeout != nil {
		timeout = *rec.Config.StopTimeout
	}
	if t := in.Query.Get("t"); t != "" {
		if timeout, err = strconv.Atoi(t); err != nil {
			return nil, invalid("invalid value for t: %q: must be an integer", t)
		}
	}
	c.emitContainer(ctx, rec, events.ActionKill, map[string]string{"signal": strconv.Itoa(int(num))})
	return &call.Stream{Kind: call.StreamStop, Container: rec.ID, Signal: strconv.Itoa(int(num)), Timeout: timeout, Running: true}, nil
}

// stoppedByUser records that docker stop or kill ended the container,
// so its restart policy leaves it stopped, and calls off a restart the
// policy has pending.
func (c *Core) stoppedByUser(ctx context.Context, id string) error {
	_, err := c.updateContainer(ctx, id, func(r *containerRecord) error {
		r.ManuallyStopped = true
		if r.State.Restarting {
			r.State.Restarting, r.State.Status = false, container.StateExited
		}
		return nil
	})
	return err
}

// runningContainer finds a container and brings its state up to date.
func (c *Core) runningContainer(ctx context.Context, ref string) (*containerRecord, error) {
	rec, _, err := c.findContainer(ctx, ref)
	if err != nil {
		return nil, err
	}
	return c.reconcile(ctx, rec)
}

// parseSignal reads a signal as Docker does; a bad one is a 400.
func parseSignal(s string) (syscall.Signal, error) {
	num, err := signals.Parse(s)
	if err != nil {
		return 0, invalid("%v", err)
	}
	return num, nil
}

// stopByDriver ends start number rec.Starts of the container through the
// driver and records its exit with code. Another instance may still be
// launching that start (Launched behind Starts): a Stop that comes before
// the driver knows the workload finds nothing to stop. So the exit is
// recorded only if Launched has not moved since the Stop began, else the
// Stop is repeated; a start that finds the exit recorded when its launch
// returns stops what it launched itself (startContainer). Either way, the
// workload ends.
func (c *Core) stopByDriver(ctx context.Context, rec *containerRecord, code int) error {
	launched := rec.Launched
	for range maxRetries {
		if err := c.compute.Stop(ctx, rec.ID); err != nil {
			return err
		}
		moved, err := c.recordExitLaunched(ctx, rec.ID, rec.Starts, launched, code, c.now(), "")
		if err != nil || !moved {
			return err
		}
		fresh, _, err := c.findContainer(ctx, rec.ID)
		if err != nil {
			return err
		}
		launched = fresh.Launched
	}
	return fmt.Errorf("stop container %s: too many concurrent launches", rec.ID[:12])
}
