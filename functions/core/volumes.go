package core

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/volume"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

var validVolumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

func (c *Core) volumeCreate(ctx context.Context, in call.Call) (call.Reply, error) {
	var req volume.CreateRequest
	if err := decodeBody(in, &req, true); err != nil {
		return call.Reply{}, err
	}
	if req.Driver != "" && req.Driver != "local" {
		// dockerd looks the driver up as a plugin and answers 404.
		return call.Reply{}, notFound("error looking up volume plugin %s: plugin %q not found: only the \"local\" volume driver exists here", req.Driver, req.Driver)
	}
	if req.Name == "" {
		req.Name = newID()
	}
	v, err := c.ensureVolume(ctx, req.Name, req.Labels, req.DriverOpts)
	if err != nil {
		return call.Reply{}, err
	}
	return jsonReply(http.StatusCreated, v), nil
}

// ensureVolume returns the named volume, creating it if needed (as
// `docker run -v name:/x` does).
func (c *Core) ensureVolume(ctx context.Context, name string, labels, opts map[string]string) (*volume.Volume, error) {
	if !validVolumeName.MatchString(name) {
		return nil, invalid("create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name, name)
	}
	existing := new(volume.Volume)
	if _, err := c.getJSON(ctx, keyVolume+name, existing); err == nil {
		return existing, nil
	} else if !errors.Is(err, state.ErrNotFound) {
		return nil, err
	}
	vols, err := c.volumes()
	if err != nil {
		return nil, err
	}
	path, err := vols.Volume(ctx, name)
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "create volume %s: %v", name, err)
	}
	if labels == nil {
		labels = map[string]string{}
	}
	if opts == nil {
		opts = map[string]string{}
	}
	v := &volume.Volume{
		Name: name, Driver: "local", Mountpoint: path, Scope: "local",
		Labels: labels, Options: opts, CreatedAt: formatTime(c.now()),
	}
	if _, err := c.putJSON(ctx, keyVolume+name, v, 0, 0); err != nil {
		if errors.Is(err, state.ErrConflict) {
			_, err = c.getJSON(ctx, keyVolume+name, v)
			return v, err
		}
		return nil, err
	}
	c.emit(ctx, events.VolumeEventType, events.ActionCreate, name, map[string]string{"driver": "local"})
	return v, nil
}

// volumes is the backend's volume data, or Docker's error for a backend
// that holds none.
func (c *Core) volumes() (Volumes, error) {
	v, ok := c.cfg.Compute.(Volumes)
	if !ok {
		return nil, errorf(http.StatusNotImplemented, "volumes are not supported by the %s backend: it has nowhere to keep their data", c.cfg.Backend)
	}
	return v, nil
}

func (c *Core) volumeInspect(ctx context.Context, in call.Call) (call.Reply, error) {
	v := new(volume.Volume)
	if _, err := c.getJSON(ctx, keyVolume+in.Var("name"), v); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return call.Reply{}, notFound("get %s: no such volume", in.Var("name"))
		}
		return call.Reply{}, err
	}
	return jsonReply(http.StatusOK, v), nil
}

func (c *Core) volumeList(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), volumeFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	vols, used, err := c.volumesAndUse(ctx)
	if err != nil {
		return call.Reply{}, err
	}
	out := volume.ListResponse{Volumes: []volume.Volume{}, Warnings: []string{}}
	for _, v := range vols {
		if !f.any("name", func(s string) bool { return nameMatch(s, v.Name) }) ||
			!f.any("driver", func(s string) bool { return s == v.Driver }) ||
			!f.any("dangling", func(s string) bool { return truthy(s) != used[v.Name] }) ||
			!f.labels("label", v.Labels) {
			continue
		}
		out.Volumes = append(out.Volumes, v)
	}
	return jsonReply(http.StatusOK, out), nil
}

// volumesAndUse lists the volumes and which of them are mounted.
func (c *Core) volumesAndUse(ctx context.Context) ([]volume.Volume, map[string]bool, error) {
	vols, err := listJSON[volume.Volume](ctx, c, keyVolume)
	if err != nil {
		return nil, nil, err
	}
	used, err := c.volumesInUse(ctx)
	return vols, used, err
}

// volumesInUse maps volume names to whether a container mounts them.
func (c *Core) volumesInUse(ctx context.Context) (map[string]bool, error) {
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, r := range recs {
		for _, m := range r.Mounts {
			if m.Name != "" {
				used[m.Name] = true
			}
		}
	}
	return used, nil
}

// volumeUsers lists the ids of the containers that mount volume name;
// Docker names them when it refuses to remove the volume.
func (c *Core) volumeUsers(ctx context.Context, name string) ([]string, error) {
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range recs {
		for _, m := range r.Mounts {
			if m.Name == name {
				ids = append(ids, r.ID)
				break
			}
		}
	}
	return ids, nil
}

func (c *Core) volumeRemove(ctx context.Context, in call.Call) (call.Reply, error) {
	if err := c.removeVolume(ctx, in.Var("name"), truthy(in.Query.Get("force"))); err != nil {
		return call.Reply{}, err
	}
	return noContent(), nil
}

func (c *Core) removeVolume(ctx context.Context, name string, force bool) error {
	rec, err := c.store.Get(ctx, keyVolume+name)
	if err != nil {
		if errors.Is(err, state.ErrNotFound) {
			if force {
				return nil
			}
			return notFound("get %s: no such volume", name)
		}
		return err
	}
	users, err := c.volumeUsers(ctx, name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return conflict("remove %s: volume is in use - [%s]", name, strings.Join(users, ", "))
	}
	vols, err := c.volumes()
	if err != nil {
		return err
	}
	if err := vols.RemoveVolume(ctx, name); err != nil {
		return errorf(http.StatusInternalServerError, "remove volume %s: %v", name, err)
	}
	// One record, one conditional delete: of removes racing, one wins;
	// the others find it gone, as if they had come after.
	if err := c.store.Delete(ctx, keyVolume+name, rec.Version); isLostRace(err) {
		if force {
			return nil
		}
		return notFound("get %s: no such volume", name)
	} else if err != nil {
		return err
	}
	c.emit(ctx, events.VolumeEventType, events.ActionDestroy, name, map[string]string{"driver": "local"})
	return nil
}

func (c *Core) volumePrune(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), pruneFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	vols, used, err := c.volumesAndUse(ctx)
	if err != nil {
		return call.Reply{}, err
	}
	all := truthy(first(f["all"]))
	report := volume.PruneReport{VolumesDeleted: []string{}}
	for _, v := range vols {
		// Like dockerd since API 1.42: only anonymous volumes unless all=true.
		if used[v.Name] || (!all && !isAnonymous(v.Name)) || !f.labels("label", v.Labels) {
			continue
		}
		if c.removeVolume(ctx, v.Name, false) == nil {
			report.VolumesDeleted = append(report.VolumesDeleted, v.Name)
		}
	}
	return jsonReply(http.StatusOK, report), nil
}
