package core

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

// execRecord is a stored exec instance.
type execRecord struct {
	ID          string
	ContainerID string
	Config      container.ExecCreateRequest
	Running     bool
	Started     bool
	ExitCode    *int
	Pid         int
}

func (c *Core) execCreate(ctx context.Context, in call.Call) (call.Reply, error) {
	var req container.ExecCreateRequest
	if err := decodeBody(in, &req, false); err != nil {
		return call.Reply{}, err
	}
	if len(req.Cmd) == 0 {
		return call.Reply{}, invalid("No exec command specified")
	}
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	if !rec.running() {
		return call.Reply{}, conflict("container %s is not running", rec.ID)
	}
	// The container's list of execs (what its remove deletes), then
	// the exec: a create that stops between the two leaves an id in the
	// list that finds nothing, never an exec no remove will delete.
	x := execRecord{ID: newID(), ContainerID: rec.ID, Config: req}
	if _, err := c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		r.ExecIDs = append(r.ExecIDs, x.ID)
		return nil
	}); err != nil {
		return call.Reply{}, err
	}
	if _, err := c.putJSON(ctx, keyExec+x.ID, x, 0, 0); err != nil {
		_, _ = c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
			r.ExecIDs = slices.DeleteFunc(r.ExecIDs, func(id string) bool { return id == x.ID })
			return nil
		})
		return call.Reply{}, err
	}
	c.emitContainer(ctx, rec, events.ActionExecCreate, map[string]string{"execID": x.ID})
	return jsonReply(http.StatusCreated, container.ExecCreateResponse{ID: x.ID}), nil
}

// findExec returns a live exec. The container lists an exec before its
// record is written, and a remove deletes the execs before the
// container, but a create can still lose to a remove (its record
// written after the remove read the list): an exec whose container is
// gone is left over, removed here and not found.
func (c *Core) findExec(ctx context.Context, id string) (*execRecord, error) {
	x := new(execRecord)
	ver, err := c.getJSON(ctx, keyExec+id, x)
	if errors.Is(err, state.ErrNotFound) {
		return nil, notFound("No such exec instance: %s", id)
	} else if err != nil {
		return nil, err
	}
	if _, err := c.store.Get(ctx, keyContainer+x.ContainerID); errors.Is(err, state.ErrNotFound) {
		if err := c.store.Delete(ctx, keyExec+id, ver); err != nil && !isLostRace(err) {
			return nil, err
		}
		return nil, notFound("No such exec instance: %s", id)
	} else if err != nil {
		return nil, err
	}
	return x, nil
}

func (c *Core) execStart(ctx context.Context, in call.Call) (call.Reply, error) {
	var req container.ExecStartRequest
	if err := decodeBody(in, &req, true); err != nil {
		return call.Reply{}, err
	}
	id := in.Var("id")
	x, err := update(ctx, c, keyExec+id, func(x *execRecord) error {
		if x.Started {
			return conflict("exec %s has already been started", x.ID)
		}
		x.Started, x.Running = true, true
		return nil
	})
	if errors.Is(err, state.ErrNotFound) {
		return call.Reply{}, notFound("No such exec instance: %s", id)
	}
	if err != nil {
		return call.Reply{}, err
	}
	rec, err := c.runningContainer(ctx, x.ContainerID)
	if err != nil {
		return call.Reply{}, err
	}
	if !rec.running() {
		return call.Reply{}, conflict("container %s is not running", rec.ID)
	}
	cfg := x.Config
	spec := proto.ProcessSpec{
		Args: cfg.Cmd, Env: mergeEnv(rec.Config.Env, cfg.Env), Dir: cfg.WorkingDir,
		User: cfg.User, TTY: cfg.Tty, Stdin: cfg.AttachStdin,
	}
	if spec.Dir == "" {
		spec.Dir = rec.Config.WorkingDir
	}
	if spec.User == "" {
		spec.User = rec.Config.User
	}
	if cfg.ConsoleSize != nil {
		spec.Height, spec.Width = cfg.ConsoleSize[0], cfg.ConsoleSize[1]
	}
	if req.ConsoleSize != nil {
		spec.Height, spec.Width = req.ConsoleSize[0], req.ConsoleSize[1]
	}
	// As on attach, dockerd watches a TTY exec's input for the detach
	// sequence: the client leaves, the process goes on.
	var keys []byte
	if cfg.AttachStdin && cfg.Tty {
		if keys, err = detachKeys(cfg.DetachKeys); err != nil {
			return call.Reply{}, err
		}
	}
	c.emitContainer(ctx, rec, events.ActionExecStart, map[string]string{"execID": x.ID})
	return call.Reply{Status: http.StatusOK, Stream: &call.Stream{
		DetachKeys: keys,
		// The stream is framed as the start request says (dockerd
		// multiplexes unless it asks for a TTY); the process's own TTY
		// is the create request's.
		Kind: call.StreamExec, Container: rec.ID, Exec: x.ID, TTY: req.Tty, Running: true,
		Stdin: cfg.AttachStdin, Stdout: cfg.AttachStdout, Stderr: cfg.AttachStderr,
		Spec: encodeSpec(spec), Done: req.Detach,
	}}, nil
}

func (c *Core) execExited(ctx context.Context, in call.Call) (call.Reply, error) {
	var rep call.ExecExit
	if err := decodeBody(in, &rep, false); err != nil {
		return call.Reply{}, err
	}
	x, err := update(ctx, c, keyExec+in.Var("id"), func(x *execRecord) error {
		code := rep.ExitCode
		x.Running, x.ExitCode, x.Pid = false, &code, rep.Pid
		return nil
	})
	if err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return noContent(), nil // the container went first
		}
		return call.Reply{}, err
	}
	if rec, _, err := c.findContainer(ctx, x.ContainerID); err == nil {
		c.emitContainer(ctx, rec, events.ActionExecDie, map[string]string{"execID": x.ID, "exitCode": strconv.Itoa(rep.ExitCode)})
	}
	return noContent(), nil
}

func (c *Core) execInspect(ctx context.Context, in call.Call) (call.Reply, error) {
	x, err := c.findExec(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	args := x.Config.Cmd
	return jsonReply(http.StatusOK, container.ExecInspectResponse{
		ID: x.ID, Running: x.Running, ExitCode: x.ExitCode, ContainerID: x.ContainerID,
		OpenStdin: x.Config.AttachStdin, OpenStdout: x.Config.AttachStdout, OpenStderr: x.Config.AttachStderr,
		Pid: x.Pid, CanRemove: !x.Running,
		ProcessConfig: &container.ExecProcessConfig{
			Tty: x.Config.Tty, Entrypoint: args[0], Arguments: nonNil(args[1:]), User: x.Config.User,
		},
	}), nil
}

func (c *Core) execResize(ctx context.Context, in call.Call) (call.Reply, error) {
	x, err := c.findExec(ctx, in.Var("id"))
	if err != nil {
		return call.Reply{}, err
	}
	h, w, err := parseSize(in)
	if err != nil {
		return call.Reply{}, err
	}
	if !x.Running {
		return call.Reply{}, conflict("exec %s is not running", x.ID)
	}
	return call.Reply{Status: http.StatusOK, Stream: &call.Stream{
		Kind: call.StreamResize, Container: x.ContainerID, Exec: x.ID, Height: h, Width: w, Running: true,
	}}, nil
}
