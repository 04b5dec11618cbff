package core

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/functions/call"
)

// autoRemoveGrace is how long an exited --rm container whose exit an
// edge reported waits for that edge's OpContainerAutoRemove; past it,
// the next call that reconciles the container removes it (the edge may
// have died in between).
const autoRemoveGrace = time.Minute

// containerExited records an exit the edge heard from the agent. It
// leaves a --rm container in place: the edge removes it with
// OpContainerAutoRemove once the attached clients have their output and
// the agent its acknowledgement.
func (c *Core) containerExited(ctx context.Context, in call.Call) (call.Reply, error) {
	var rep call.ExitReport
	if err := decodeBody(in, &rep, false); err != nil {
		return call.Reply{}, err
	}
	rec, _, err := c.findContainer(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	if rep.FinishedAt.IsZero() {
		rep.FinishedAt = c.now()
	}
	fresh, changed, err := c.markExited(ctx, rec.ID, rec.Starts, anyLaunch, rep.ExitCode, rep.FinishedAt, "")
	if err != nil {
		return call.Reply{}, err
	}
	if !changed {
		return jsonReply(http.StatusOK, call.ExitRecorded{}), nil
	}
	return jsonReply(http.StatusOK, call.ExitRecorded{
		Recorded: true, Starts: fresh.Starts, AutoRemove: fresh.HostConfig.AutoRemove,
		Restart: fresh.State.Restarting,
	}), nil
}

// containerAutoRemove carries out --rm for an exit the edge reported.
func (c *Core) containerAutoRemove(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, _, err := c.findContainer(ctx, in.Var("id"))
	if err != nil || rec.ID != in.Var("id") {
		return jsonReply(http.StatusOK, call.AutoRemoved{}), nil // gone already
	}
	done := call.AutoRemoved{ExitCode: rec.State.ExitCode}
	if rec.running() || !rec.HostConfig.AutoRemove {
		return jsonReply(http.StatusOK, done), nil
	}
	if err := c.removeContainer(ctx, rec, false, true); err != nil {
		return call.Reply{}, err
	}
	done.Removed = true
	return jsonReply(http.StatusOK, done), nil
}

// recordExit marks start number `starts` of a container as exited, once,
// and carries out --rm at once: no edge will ask for it, since no agent
// reported this exit.
func (c *Core) recordExit(ctx context.Context, id string, starts, code int, at time.Time, msg string) error {
	_, err := c.recordExitLaunched(ctx, id, starts, anyLaunch, code, at, msg)
	return err
}

// recordExitLaunched is recordExit on condition that the record's
// Launched is still launched (anyLaunch: whatever it is); moved reports
// that it was not, and nothing was written.
func (c *Core) recordExitLaunched(ctx context.Context, id string, starts, launched, code int, at time.Time, msg string) (moved bool, err error) {
	rec, changed, err := c.markExited(ctx, id, starts, launched, code, at, msg)
	if errors.Is(err, errLaunchMoved) {
		return true, nil
	}
	if err != nil || !changed {
		return false, err
	}
	if rec.HostConfig.AutoRemove {
		return false, c.removeContainer(ctx, rec, false, true)
	}
	if rec.State.Restarting {
		// No agent reported this exit, so none waits for its answer.
		c.restartByPolicy(ctx, rec)
	}
	return false, nil
}

// anyLaunch is the launched of an exit that stands whatever launch the
// record shows.
const anyLaunch = -1

// errLaunchMoved means the record's Launched changed since the caller
// read it: a launch finished meanwhile.
var errLaunchMoved = errors.New("launch moved")

// markExited marks start number `starts` of a container as exited and
// says whether it did: late or repeated reports are ignored. Unless
// launched is anyLaunch, a record whose Launched is not launched is left
// as it is, with errLaunchMoved.
func (c *Core) markExited(ctx context.Context, id string, starts, launched, code int, at time.Time, msg string) (*containerRecord, bool, error) {
	changed := false
	var published []PortBinding
	oom := code == exitKilled && c.oomKilled(ctx, id)
	rec, err := c.updateContainer(ctx, id, func(r *containerRecord) error {
		changed = false // a lost race retries fn on a fresh read
		if !r.running() || r.Starts != starts {
			return errSkipWrite
		}
		if launched != anyLaunch && r.Launched != launched {
			return errLaunchMoved
		}
		changed = true
		published, r.Published = r.Published, nil
		r.State.Running = false
		r.State.Status = container.StateExited
		r.State.ExitCode = code
		r.State.OOMKilled = oom
		r.State.Pid = 0
		r.State.Error = msg
		r.State.FinishedAt = formatTime(at)
		// An exit core recorded with a reason (a start that failed) is
		// not one a restart policy answers.
		if msg == "" && restartDue(r, code) {
			r.State.Restarting, r.State.Status = true, container.StateRestarting
			r.RestartCount++
		}
		return nil
	})
	if err != nil || !changed {
		return rec, false, err
	}
	c.unpublish(ctx, id, published)
	c.emitContainer(ctx, rec, events.ActionDie, map[string]string{"exitCode": strconv.Itoa(code)})
	return rec, true, nil
}

// exitKilled is the exit code of a process ended by SIGKILL, which is
// how the kernel ends one over its memory limit.
const exitKilled = 128 + 9

// oomKilled asks the driver whether the kernel killed a process of the
// container for its memory (State.OOMKilled), where the driver knows.
func (c *Core) oomKilled(ctx context.Context, id string) bool {
	st, err := c.compute.Status(ctx, id)
	return err == nil && st.OOMKilled
}

// removeOverdue removes an exited --rm container whose edge never asked
// for it within autoRemoveGrace, and then answers as for a removed one.
func (c *Core) removeOverdue(ctx context.Context, rec *containerRecord) (*containerRecord, error) {
	if !rec.HostConfig.AutoRemove || rec.State.Status != container.StateExited {
		return rec, nil
	}
	finished, err := time.Parse(time.RFC3339Nano, rec.State.FinishedAt)
	if err != nil || c.now().Sub(finished) < autoRemoveGrace {
		return rec, nil
	}
	if err := c.removeContainer(ctx, rec, false, true); err != nil {
		return nil, err
	}
	return rec, notFound("No such container: %s", rec.ID)
}

// exitOf is the start number whose exit ends a wait for the next exit
// from now: the current start's if it runs, else the next one's.
func exitOf(rec *containerRecord) int {
	if rec.running() {
		return rec.Starts
	}
	return rec.Starts + 1
}

// lostWithProcess is the reason recorded for a workload that died with
// the process that ran it.
const lostWithProcess = "the workload is gone: the backend has no record of it"

// RecoverAlone is what a restarted process does before it serves a
// call, when it is the only one serving the store and its compute's
// workloads all died with the process that ran them (the sandbox, in
// local mode restarted on its data). It records the exit of every
// container the store holds as running: reconcile would find most as it
// meets them, but not one whose start died between its two writes,
// which counts as launching for launchGrace, with inspect, ps and wait
// showing it running meanwhile. And it deletes the container records no
// name points at: creates that died between their two writes (with no
// other process, none is in progress), which no reader lists and no
// remove would ever delete.
func (c *Core) RecoverAlone(ctx context.Context) error {
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return err
	}
	owners, err := containerNames.owners(ctx, c.store)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if owners[r.shortName()] != r.ID {
			if cur, err := c.store.Get(ctx, keyContainer+r.ID); err == nil {
				_ = c.store.Delete(ctx, keyContainer+r.ID, cur.Version)
			}
			continue
		}
		if r.running() {
			if err := c.recordExit(ctx, r.ID, r.Starts, 255, c.now(), lostWithProcess); err != nil {
				return err
			}
		}
	}
	return nil
}
