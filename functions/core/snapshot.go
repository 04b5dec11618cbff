package core

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
)

// Snapshotter is what a backend offers, beyond Compute, to read a
// container's filesystem as a whole: `docker diff`, `docker export` and
// `docker commit`. It is optional: a backend whose containers live
// somewhere core cannot reach (a cloud task) leaves it out, and those
// commands answer 501.
type Snapshotter interface {
	// Changes lists how the container's filesystem differs from its
	// image, sorted by path.
	Changes(ctx context.Context, w Workload) ([]container.FilesystemChange, error)
	// Export writes the container's merged filesystem as a tar.
	Export(ctx context.Context, w Workload, out io.Writer) error
	// Commit stores the container's changes as a new layer over its
	// image's layers and returns the new image.
	Commit(ctx context.Context, w Workload, opts CommitOptions) (ImageContent, error)
}

// CommitOptions is what the new image's config is made of.
type CommitOptions struct {
	// Config is the image config: the container's, merged with what
	// the caller sent.
	Config *container.Config
	// Changes are Dockerfile-like instructions applied after Config
	// (`docker commit --change`).
	Changes []string
	Comment string
	Author  string
	// CreatedBy is the history entry's command.
	CreatedBy string
}

func (c *Core) snapshotter(what string) (Snapshotter, error) {
	s, ok := c.cfg.Compute.(Snapshotter)
	if !ok {
		return nil, errorf(http.StatusNotImplemented, "%s is not supported by the %s backend: its containers' filesystems are not reachable from the control plane", what, c.cfg.Backend)
	}
	return s, nil
}

// containerChanges serves GET /containers/{name}/changes (docker diff).
func (c *Core) containerChanges(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, _, err := c.findContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	s, err := c.snapshotter("docker diff")
	if err != nil {
		return call.Reply{}, err
	}
	changes, err := s.Changes(ctx, c.workload(rec, ""))
	if err != nil {
		return call.Reply{}, errorf(http.StatusInternalServerError, "changes of %s: %v", rec.ID[:12], err)
	}
	return jsonReply(http.StatusOK, changes), nil
}

// containerExport serves GET /containers/{name}/export.
func (c *Core) containerExport(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, _, err := c.findContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	s, err := c.snapshotter("docker export")
	if err != nil {
		return call.Reply{}, err
	}
	var buf bytes.Buffer
	if err := s.Export(ctx, c.workload(rec, ""), &buf); err != nil {
		return call.Reply{}, errorf(http.StatusInternalServerError, "export of %s: %v", rec.ID[:12], err)
	}
	c.emitContainer(ctx, rec, events.ActionExport, nil)
	return call.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/x-tar"}}, Body: buf.Bytes()}, nil
}

// imageCommit serves POST /commit. pause is accepted and ignored: the
// layer is read from the container's writable directory as it stands.
func (c *Core) imageCommit(ctx context.Context, in call.Call) (call.Reply, error) {
	q := in.Query
	rec, _, err := c.findContainer(ctx, q.Get("container"))
	if err != nil {
		return call.Reply{}, err
	}
	var tag reference.Named
	if repo := q.Get("repo"); repo != "" {
		ref := repo
		if t := q.Get("tag"); t != "" {
			ref += ":" + t
		}
		if tag, err = normalizeRef(ref); err != nil {
			return call.Reply{}, err
		}
		if _, ok := tag.(reference.Digested); ok {
			return call.Reply{}, invalid("invalid reference %s: a commit cannot be tagged with a digest", ref)
		}
	}
	var user container.Config
	if len(bytes.TrimSpace(in.Body)) > 0 && string(bytes.TrimSpace(in.Body)) != "null" {
		if err := json.Unmarshal(in.Body, &user); err != nil {
			return call.Reply{}, invalid("invalid commit config: %v", err)
		}
	}
	s, err := c.snapshotter("docker commit")
	if err != nil {
		return call.Reply{}, err
	}
	cfg := mergeCommitConfig(rec.Config, &user)
	content, err := s.Commit(ctx, c.workload(rec, ""), CommitOptions{
		Config: cfg, Changes: q["changes"], Comment: q.Get("comment"), Author: q.Get("author"),
		CreatedBy: strings.Join(append([]string{rec.Path}, rec.Args...), " "),
	})
	if err != nil {
		return call.Reply{}, invalid("commit %s: %v", rec.ID[:12], err)
	}
	var tags []reference.Named
	if tag != nil {
		tags = append(tags, tag)
	}
	content.Parent = rec.ImageID // docker commit's image is a child of the container's
	if _, err := c.recordImage(ctx, content, tags...); err != nil {
		return call.Reply{}, err
	}
	c.emitContainer(ctx, rec, events.ActionCommit, map[string]string{"comment": q.Get("comment")})
	return jsonReply(http.StatusCreated, container.CommitResponse{ID: content.ID}), nil
}

// mergeCommitConfig is moby's merge for commit: the container's config,
// with what the caller set taking precedence, and maps and environments
// combined rather than replaced.
func mergeCommitConfig(base, user *container.Config) *container.Config {
	out := container.Config{}
	if base != nil {
		out = *base
	}
	if len(user.Cmd) > 0 {
		out.Cmd = user.Cmd
	}
	if len(user.Entrypoint) > 0 {
		out.Entrypoint = user.Entrypoint
	}
	if user.WorkingDir != "" {
		out.WorkingDir = user.WorkingDir
	}
	if user.User != "" {
		out.User = user.User
	}
	if user.StopSignal != "" {
		out.StopSignal = user.StopSignal
	}
	out.Env = mergeEnv(out.Env, user.Env)
	if len(user.Labels) > 0 {
		labels := map[string]string{}
		for k, v := range out.Labels {
			labels[k] = v
		}
		for k, v := range user.Labels {
			labels[k] = v
		}
		out.Labels = labels
	}
	if len(user.ExposedPorts) > 0 {
		ports := network.PortSet{}
		for k, v := range out.ExposedPorts {
			ports[k] = v
		}
		for k, v := range user.ExposedPorts {
			ports[k] = v
		}
		out.ExposedPorts = ports
	}
	if len(user.Volumes) > 0 {
		vols := map[string]struct{}{}
		for k := range out.Volumes {
			vols[k] = struct{}{}
		}
		for k := range user.Volumes {
			vols[k] = struct{}{}
		}
		out.Volumes = vols
	}
	return &out
}
