package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

func (c *Core) containerStart(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, _, err := c.findContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	// Like dockerd, a missing network fails the start, not the create.
	err = c.checkNetworks(ctx, rec.Networks)
	if err == nil && !rec.running() {
		err = c.attachAll(ctx, rec)
	}
	var binds []call.Bind
	if err == nil {
		binds, err = c.startContainer(ctx, rec.ID)
	}
	if err != nil && err != errNotModified && rec.HostConfig.AutoRemove {
		// `docker run --rm` waits for the removal after a failed start.
		if fresh, _, ferr := c.findContainer(ctx, rec.ID); ferr == nil {
			_ = c.removeContainer(ctx, fresh, true, true)
		}
	}
	if err != nil {
		return call.Reply{}, err
	}
	return started(rec.ID, binds), nil
}

// startContainer marks the container running, then launches it. The
// record is written first so an exit reported at once finds it running.
// It returns the binds the edge copies before main starts (BindCopier).
func (c *Core) startContainer(ctx context.Context, id string) ([]call.Bind, error) {
	var token string
	rec, err := c.updateContainer(ctx, id, func(r *containerRecord) error {
		if r.running() {
			return errNotModified
		}
		if r.State.Status == container.StateRemoving || r.State.Status == container.StateDead {
			return conflict("container %s is marked for removal and cannot be started", r.ID)
		}
		r.Starts++
		r.ManuallyStopped = false
		token = c.token(r.ID, r.Starts)
		r.State = container.State{
			Status: container.StateRunning, Running: true,
			StartedAt: formatTime(c.now()), FinishedAt: r.State.FinishedAt,
			Health: startHealth(r.Config, r.State.Health),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := c.workload(rec, token)
	w.AgentURL = agentURLOf(ctx)
	binds := c.copiedBinds(&w)
	if img, _, err := c.findImage(ctx, rec.ImageID); err == nil {
		w.ImageRef = repoDigestFor(img.RepoDigests, rec.Config.Image)
	}
	if err := c.startPublishing(ctx, rec, w); err != nil {
		msg := err.Error()
		_ = c.recordExit(ctx, rec.ID, rec.Starts, 128, c.now(), msg)
		return nil, err
	}
	env, linked, err := c.linkEnv(ctx, rec)
	if err != nil {
		_ = c.recordExit(ctx, rec.ID, rec.Starts, 128, c.now(), err.Error())
		return nil, err
	}
	w.Main.Env = append(env, w.Main.Env...) // its own variables win, as with dockerd
	w.Peers, err = c.peers(ctx, rec)
	w.Peers = append(w.Peers, linked...)
	if err == nil {
		err = c.compute.Start(ctx, w)
	}
	if err != nil {
		if _, _, ferr := c.findContainer(ctx, rec.ID); statusOf(ferr) == http.StatusNotFound {
			// An rm -f served meanwhile took what the launch needed:
			// the container is gone, as the starter hears.
			_ = c.compute.Remove(ctx, rec.ID)
			return nil, notFound("No such container: %s", rec.ID)
		}
		msg := fmt.Sprintf("failed to start container %s: %v", rec.ID[:12], err)
		_ = c.recordExit(ctx, rec.ID, rec.Starts, 127, c.now(), msg)
		return nil, errorf(http.StatusInternalServerError, "%s", msg)
	}
	if err := c.launched(ctx, rec); err != nil {
		return nil, err
	}
	c.emitContainer(ctx, rec, events.ActionStart, nil)
	return binds, nil
}

// launched records that start number rec.Starts is launched. A stop,
// kill or rm -f that another instance served while the launch was under
// way may have asked the driver to stop the workload before the driver
// knew it (see stopByDriver): a start that finds its exit recorded, or
// the container removed, stops (and removes) what it launched. So does
// one overtaken by a later start that has ended too: on a cloud each
// start's task is its own, and the stop of the later one (an rm -f's
// among them) may have listed the tasks before this one's ran.
func (c *Core) launched(ctx context.Context, rec *containerRecord) error {
	starts, ended := rec.Starts, false
	_, err := c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		ended = !r.running()
		if r.Starts != starts {
			// A later start owns the container; one still running has
			// its own workload, which a stop of all would end too.
			return errSkipWrite
		}
		r.Launched = starts
		return nil
	})
	switch {
	case statusOf(err) == http.StatusNotFound:
		if err := c.compute.Stop(ctx, rec.ID); err != nil {
			return err
		}
		return c.compute.Remove(ctx, rec.ID)
	case err != nil:
		return err
	case ended:
		return c.compute.Stop(ctx, rec.ID)
	}
	return nil
}

// workload is what the driver needs to run rec.
func (c *Core) workload(rec *containerRecord, token string) Workload {
	mounts := make([]Mount, 0, len(rec.Mounts))
	for _, m := range rec.Mounts {
		mounts = append(mounts, Mount{Source: m.Source, Target: m.Destination, ReadOnly: !m.RW, Volume: m.Name})
	}
	var size [2]uint
	if rec.HostConfig != nil {
		size = rec.HostConfig.ConsoleSize
	}
	return Workload{
		ID: rec.ID, Name: rec.shortName(), ImageID: rec.ImageID, Hostname: rec.Config.Hostname,
		Main: proto.ProcessSpec{
			Args: append([]string{rec.Path}, rec.Args...), Env: rec.Config.Env,
			Dir: rec.Config.WorkingDir, User: rec.Config.User, TTY: rec.Config.Tty,
			Stdin: rec.Config.OpenStdin, Height: size[0], Width: size[1],
		},
		Mounts: mounts, Token: token, MemoryBytes: rec.HostConfig.Memory,
		PidsLimit: pidsLimit(rec.HostConfig), NanoCPUs: rec.HostConfig.NanoCPUs,
		NetworkMode: string(rec.HostConfig.NetworkMode), ReadOnlyRoot: rec.HostConfig.ReadonlyRootfs,
		Tmpfs: rec.HostConfig.Tmpfs, Endpoints: endpointsOf(rec),
		ExtraHosts: rec.HostConfig.ExtraHosts, DNS: rec.HostConfig.DNS,
		DNSSearch: rec.HostConfig.DNSSearch, DNSOptions: rec.HostConfig.DNSOptions,
		GroupAdd: rec.HostConfig.GroupAdd, Health: healthSpec(rec.Config),
	}
}

// repoDigestFor picks, of an image's repository digests, the one in the
// repository the container was created from (the same content may have
// been pulled from several), else the first.
func repoDigestFor(digests []string, image string) string {
	if len(digests) == 0 {
		return ""
	}
	if named, err := normalizeRef(image); err == nil {
		for _, d := range digests {
			if repo, _, _ := strings.Cut(d, "@"); repo == familiar(reference.TrimNamed(named)) {
				return d
			}
		}
	}
	return digests[0]
}

// token is the credential of one start of a container.
func (c *Core) token(id string, starts int) string {
	m := hmac.New(sha256.New, c.cfg.Secret)
	fmt.Fprintf(m, "%s/%d", id, starts)
	return strconv.Itoa(starts) + "." + hex.EncodeToString(m.Sum(nil))
}

// agentAuth checks a token an agent presented to the edge.
func (c *Core) agentAuth(ctx context.Context, in call.Call) (call.Reply, error) {
	var req call.AgentAuth
	if err := decodeBody(in, &req, false); err != nil {
		return call.Reply{}, err
	}
	rec, _, err := c.findContainer(ctx, req.Container)
	if err != nil || rec.ID != req.Container {
		return call.Reply{}, errorf(http.StatusUnauthorized, "agent token rejected: unknown container")
	}
	if !hmac.Equal([]byte(req.Token), []byte(c.token(rec.ID, rec.Starts))) {
		return call.Reply{}, errorf(http.StatusUnauthorized, "agent token rejected for container %s", rec.ID)
	}
	return noContent(), nil
}

// launchGrace is how long a started container whose launch is not
// recorded counts as running without asking the driver: longer than any
// backend takes to launch a workload.
const launchGrace = 2 * time.Minute

// reconcile asks the driver about a container the store thinks is
// running, and records an exit nobody reported (a lost agent, a
// restarted edge).
func (c *Core) reconcile(ctx context.Context, rec *containerRecord) (*containerRecord, error) {
	if rec.State.Restarting {
		return c.restartOverdue(ctx, rec)
	}
	if !rec.running() {
		return c.removeOverdue(ctx, rec)
	}
	if rec.Launched != rec.Starts {
		// The start call is still launching it (a cloud takes seconds):
		// the driver may not know it yet. A start that died half-way is
		// judged once launchGrace has passed.
		if started, err := time.Parse(time.RFC3339Nano, rec.State.StartedAt); err != nil || c.now().Sub(started) < launchGrace {
			return rec, nil
		}
	}
	st, err := c.compute.Status(ctx, rec.ID)
	if err != nil || st.Running {
		return rec, nil
	}
	code, at, msg := st.ExitCode, st.FinishedAt, st.Error
	if !st.Known {
		code, at, msg = 255, c.now(), lostWithProcess
	}
	if err := c.recordExit(ctx, rec.ID, rec.Starts, code, at, msg); err != nil {
		return nil, err
	}
	fresh, _, err := c.findContainer(ctx, rec.ID)
	if errors.Is(err, state.ErrNotFound) || statusOf(err) == http.StatusNotFound {
		return rec, notFound("No such container: %s", rec.ID)
	}
	return fresh, err
}

func encodeSpec(spec proto.ProcessSpec) json.RawMessage {
	b, _ := json.Marshal(spec)
	return b
}

// pidsLimit reads --pids-limit; Docker treats 0 and -1 as unlimited,
// which the sandbox reads as its default bound.
func pidsLimit(hc *container.HostConfig) int64 {
	if hc == nil || hc.PidsLimit == nil || *hc.PidsLimit <= 0 {
		return 0
	}
	return *hc.PidsLimit
}
