// Package engine is local mode's second runtime: workloads run as
// containers of a real Docker Engine reached through its socket, each
// wrapped by the same agent binary a cloud workload runs, which dials
// the edge exactly as in the sandbox runtime. Images live in the engine.
package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/sockerless/sockerless/functions/backends/local/portproxy"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/agent/agentbin"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/buildjobs"
)

// agentPath is where the agent binary appears inside engine containers.
const agentPath = "/.sockerless/agent"

// Config configures a Driver.
type Config struct {
	// Host is the engine's address ("unix:///var/run/docker.sock").
	Host string
	// Dir holds the driver's files: the agent binary and volumes.
	Dir string
	// AgentURL is where agents dial the edge. It is a loopback address,
	// which is why engine containers use the host's network.
	AgentURL string
	// AgentBinary is a static agent binary; empty uses the one embedded
	// in this binary (or, in a source checkout, builds it: agentbin).
	AgentBinary string
	Log         *slog.Logger
}

// Driver implements core.Compute and core.Images on a Docker Engine.
type Driver struct {
	buildjobs.Jobs // docker build jobs: core.BuildJobs
	// Published ports (core.Publisher): the engine's containers run on
	// its host network (to reach the edge and each other at loopback, as
	// the sandbox's do), where dockerd discards port bindings, so a host
	// listener forwards to the container's port on loopback.
	*portproxy.Proxy

	cfg    Config
	engine *client.Client
	agent  *agentbin.Binary

	mu      sync.Mutex
	started map[string]bool // containers this process started, for Close
}

// New connects to the engine at cfg.Host and checks it answers.
func New(ctx context.Context, cfg Config) (*Driver, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "volumes"), 0o700); err != nil {
		return nil, err
	}
	c, err := client.New(client.WithHost(cfg.Host), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("engine client for %s: %w", cfg.Host, err)
	}
	if _, err := c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		c.Close()
		return nil, fmt.Errorf("docker engine at %s does not answer: %w", cfg.Host, err)
	}
	return &Driver{Proxy: portproxy.HostNetwork(), cfg: cfg, engine: c, agent: agentbin.New(cfg.AgentBinary, filepath.Join(cfg.Dir, "agent")), started: map[string]bool{}}, nil
}

// Warm installs the agent binary now rather than at the first start.
func (d *Driver) Warm() error { _, err := d.agent.Path(); return err }

// Close stops the containers this process started, as the sandbox
// runtime does: their agents dial an edge port that dies with local
// mode, so they could not come back.
func (d *Driver) Close() error {
	d.Jobs.Close()
	d.mu.Lock()
	ids := make([]string, 0, len(d.started))
	for id := range d.started {
		ids = append(ids, id)
	}
	d.mu.Unlock()
	defer d.Proxy.Close()
	return errors.Join(core.StopAll(ids, 10*time.Second, d.Stop), d.engine.Close())
}

// name is the engine container of a Sockerless container.
func name(id string) string { return "sockerless-" + id }

// stateRef names the image that carries a container's filesystem from
// one engine container to the next (see Start).
func stateRef(id string) string { return "sockerless-state/" + id + ":latest" }

// Prepare creates the engine container, so `docker cp` before start has
// a filesystem to reach. It is created again at each start (see Start).
func (d *Driver) Prepare(ctx context.Context, w core.Workload) error {
	if _, err := d.engine.ImageInspect(ctx, w.ImageID); err != nil {
		return fmt.Errorf("image %s in the engine: %w", w.ImageID, err)
	}
	return d.create(ctx, w, w.ImageID)
}

// Start runs the workload's agent as the engine container's entrypoint.
// The agent's token is new at every start and the engine fixes a
// container's environment at create, so the container is created anew:
// its previous filesystem is committed first and becomes the new one's
// image, which keeps files across cp-before-start and restarts.
func (d *Driver) Start(ctx context.Context, w core.Workload) error {
	if _, err := d.agent.Path(); err != nil {
		return err
	}
	image := w.ImageID
	old, err := d.engine.ContainerInspect(ctx, name(w.ID), client.ContainerInspectOptions{})
	switch {
	case err == nil:
		if old.Container.State != nil && old.Container.State.Running {
			if err := d.waitExit(ctx, old.Container.ID); err != nil {
				return err
			}
		}
		if err := d.keepLogs(ctx, old.Container.ID, w.ID); err != nil {
			return fmt.Errorf("keep the log of %s: %w", w.ID, err)
		}
		if err := d.carryChanges(ctx, old.Container.ID, w.ID); err != nil {
			return fmt.Errorf("keep the changes of %s: %w", w.ID, err)
		}
		if _, err := d.engine.ContainerCommit(ctx, old.Container.ID, client.ContainerCommitOptions{Reference: stateRef(w.ID), NoPause: true}); err != nil {
			return fmt.Errorf("keep the filesystem of %s: %w", w.ID, err)
		}
		if _, err := d.engine.ContainerRemove(ctx, old.Container.ID, client.ContainerRemoveOptions{Force: true}); err != nil {
			return err
		}
		image = stateRef(w.ID)
	case !cerrdefs.IsNotFound(err):
		return err
	}
	if err := d.create(ctx, w, image); err != nil {
		return err
	}
	if _, err := d.engine.ContainerStart(ctx, name(w.ID), client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("start engine container: %w", err)
	}
	d.mu.Lock()
	d.started[w.ID] = true
	d.mu.Unlock()
	return nil
}

// waitExit gives an agent that has reported its exit a moment to end:
// core may start the container again before the engine saw it stop.
func (d *Driver) waitExit(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res := d.engine.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-res.Result:
		return nil
	case err := <-res.Error:
		return fmt.Errorf("engine container %s is still running: %w", id, err)
	}
}

// create makes the engine container for w from image: the agent, bind
// mounted read-only, wraps the user's command line.
func (d *Driver) create(ctx context.Context, w core.Workload, image string) error {
	agent, err := d.agent.Path()
	if err != nil {
		return err
	}
	env := append([]string{}, w.Main.Env...)
	env = append(env,
		"SOCKERLESS_EDGE_URL="+d.cfg.AgentURL,
		"SOCKERLESS_CONTAINER_ID="+w.ID,
		"SOCKERLESS_TOKEN="+w.Token,
	)
	if w.Main.Stdin {
		env = append(env, "SOCKERLESS_STDIN=1")
	}
	if w.Main.TTY {
		env = append(env, "SOCKERLESS_TTY=1")
	}
	// The agent runs as root, as dockerd does the archive and exec work
	// it stands in for (docker cp into a root-owned directory of a
	// --user container); main and execs run as the container's user.
	if w.Main.User != "" {
		env = append(env, "SOCKERLESS_USER="+w.Main.User)
	}
	env = append(env, w.Health.Env()...)
	binds := []string{agent + ":" + agentPath + ":ro"}
	for _, m := range w.Mounts {
		b := m.Source + ":" + m.Target
		if m.ReadOnly {
			b += ":ro"
		}
		binds = append(binds, b)
	}
	_, err = d.engine.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name(w.ID),
		Config: &container.Config{
			Image:      image,
			Entrypoint: []string{agentPath},
			Cmd:        w.Main.Args,
			Env:        env,
			WorkingDir: w.Main.Dir,
			User:       "0:0",
			Labels:     map[string]string{"sockerless.id": w.ID},
		},
		HostConfig: &container.HostConfig{
			// The agent dials the edge on the host's loopback, which a
			// bridged container cannot reach.
			NetworkMode: "host",
			Binds:       binds,
			Resources:   container.Resources{Memory: w.MemoryBytes},
			ExtraHosts:  loopbackHosts(w.Peers),
			// The agent's groups, which main and execs inherit.
			GroupAdd: w.GroupAdd,
		},
	})
	if err != nil {
		return fmt.Errorf("create engine container: %w", err)
	}
	return nil
}

// loopbackHosts are the /etc/hosts entries of peers: on the host's
// network the containers a workload shares a network with answer on
// loopback.
func loopbackHosts(peers []string) []string {
	out := make([]string, 0, len(peers))
	for _, p := range peers {
		out = append(out, p+":127.0.0.1")
	}
	return out
}

// Status reads the engine container's state.
func (d *Driver) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	r, err := d.engine.ContainerInspect(ctx, name(id), client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return core.WorkloadStatus{}, nil
	}
	if err != nil {
		return core.WorkloadStatus{}, err
	}
	st := r.Container.State
	if st == nil {
		return core.WorkloadStatus{}, errors.New("engine container has no state")
	}
	out := core.WorkloadStatus{Known: true, Running: st.Running, ExitCode: st.ExitCode, Error: st.Error, Pid: st.Pid}
	if t, err := time.Parse(time.RFC3339Nano, st.FinishedAt); err == nil && t.Year() > 1 {
		out.FinishedAt = t.UTC()
	}
	return out, nil
}

// Stop kills the engine container, as the sandbox runtime cancels its
// workload: this is the stop without the agent's help.
func (d *Driver) Stop(ctx context.Context, id string) error {
	timeout := 0
	_, err := d.engine.ContainerStop(ctx, name(id), client.ContainerStopOptions{Signal: "KILL", Timeout: &timeout})
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// Remove deletes the engine container and its carried filesystem.
func (d *Driver) Remove(ctx context.Context, id string) error {
	d.mu.Lock()
	delete(d.started, id)
	d.mu.Unlock()
	_, err := d.engine.ContainerRemove(ctx, name(id), client.ContainerRemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return err
	}
	if err := d.removeState(ctx, id); err != nil {
		return err
	}
	return errors.Join(os.RemoveAll(d.logPath(id)), os.RemoveAll(d.changesPath(id)))
}

// removeState deletes the images that carried container id's filesystem
// from start to start: stateRef and, where the engine links an image to
// its parent, the earlier ones it was committed over, which carry the
// container's label. Pruning would go on to the container's image, which
// the engine may hold untagged and core still records.
func (d *Driver) removeState(ctx context.Context, id string) error {
	top, err := d.engine.ImageInspect(ctx, stateRef(id))
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	// Inspect does not say an image's parent; the list does.
	list, err := d.engine.ImageList(ctx, client.ImageListOptions{All: true})
	if err != nil {
		return err
	}
	images := map[string]image.Summary{}
	for _, s := range list.Items {
		images[s.ID] = s
	}
	for img, ok := images[top.ID]; ok && img.Labels["sockerless.id"] == id; img, ok = images[img.ParentID] {
		if _, err := d.engine.ImageRemove(ctx, img.ID, client.ImageRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// Volume returns the host directory backing a named volume; engine
// containers bind-mount it, so the engine must run on this host.
func (d *Driver) Volume(ctx context.Context, name string) (string, error) {
	p := filepath.Join(d.cfg.Dir, "volumes", name, "_data")
	return p, os.MkdirAll(p, 0o755)
}

// RemoveVolume deletes a named volume's data.
func (d *Driver) RemoveVolume(ctx context.Context, name string) error {
	return os.RemoveAll(filepath.Join(d.cfg.Dir, "volumes", name))
}

var (
	_ core.Compute = (*Driver)(nil)
	_ core.Images  = (*Driver)(nil)
)

var _ core.BuildJobs = (*Driver)(nil)
