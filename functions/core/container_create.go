package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/agent/imagecmd"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

func (c *Core) containerCreate(ctx context.Context, in call.Call) (call.Reply, error) {
	var req container.CreateRequest
	if err := decodeBody(in, &req, false); err != nil {
		if perr := portKeyError(in.Body); perr != nil {
			return call.Reply{}, perr // the JSON was fine, a port in it was not
		}
		return call.Reply{}, err
	}
	if req.Config == nil || req.Config.Image == "" {
		return call.Reply{}, invalid("no image specified: set Config.Image")
	}
	if req.HostConfig == nil {
		req.HostConfig = &container.HostConfig{}
	}
	name := in.Query.Get("name")
	if name != "" && !validName.MatchString(name) {
		return call.Reply{}, invalid("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	if err := validateHostConfig(req.HostConfig, c.runtimeName()); err != nil {
		return call.Reply{}, err
	}
	if err := c.validatePorts(req.HostConfig); err != nil {
		return call.Reply{}, err
	}
	warnings, err := c.discardLimits(req.HostConfig)
	if err != nil {
		return call.Reply{}, err
	}
	img, _, err := c.findImage(ctx, req.Config.Image)
	if err != nil {
		return call.Reply{}, err
	}
	rec, err := c.newContainer(req, img)
	if err == nil {
		err = legacyMacAddress(in, rec)
	}
	if err != nil {
		return call.Reply{}, err
	}

	generated := name == ""
	name = strings.TrimPrefix(name, "/")
	if !generated {
		// Most conflicts are plain: say so before creating any volume.
		if err := c.nameFree(ctx, name, rec.ID); err != nil {
			return call.Reply{}, err
		}
	}
	mounts, err := c.resolveMounts(ctx, rec)
	if err != nil {
		return call.Reply{}, err
	}
	rec.Mounts = mounts
	// The record, then its name (see nameIndex): the name's conditional
	// create makes it unique; a generated name that lost a race is simply
	// drawn again.
	var ver int64
	for attempt := 0; ; attempt++ {
		if generated {
			name = c.generateName(ctx)
		}
		rec.Name = "/" + name
		if rec.HostConfig.Links, err = c.resolveLinks(ctx, req.HostConfig.Links, rec.Name); err != nil {
			return call.Reply{}, err
		}
		if ver, err = c.putJSON(ctx, keyContainer+rec.ID, rec, ver, 0); err != nil {
			return call.Reply{}, err
		}
		owner, err := containerNames.claim(ctx, c.store, name, rec.ID)
		if err == nil {
			break
		}
		if errors.Is(err, state.ErrConflict) && generated && attempt < 20 {
			continue
		}
		_ = c.store.Delete(ctx, keyContainer+rec.ID, ver)
		if errors.Is(err, state.ErrConflict) {
			return call.Reply{}, nameInUse(name, owner)
		}
		return call.Reply{}, err
	}
	if p, ok := c.cfg.Compute.(Preparer); ok {
		if err := p.Prepare(ctx, c.workload(rec, "")); err != nil {
			c.deleteContainerRecords(ctx, rec)
			return call.Reply{}, errorf(http.StatusInternalServerError, "prepare container: %v", err)
		}
	}
	c.emitContainer(ctx, rec, events.ActionCreate, nil)
	return jsonReply(http.StatusCreated, container.CreateResponse{ID: rec.ID, Warnings: warnings}), nil
}

// newContainer merges the image config into the request, as dockerd does.
func (c *Core) newContainer(req container.CreateRequest, img *imageRecord) (*containerRecord, error) {
	ic, err := img.config()
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "image %s has an unreadable config: %v", img.ID, err)
	}
	cfg := *req.Config
	cfg.Env = mergeEnv(ic.Config.Env, cfg.Env)
	cfg.Entrypoint, cfg.Cmd = imagecmd.Merge(ic.Config.Entrypoint, ic.Config.Cmd, cfg.Entrypoint, cfg.Cmd)
	if cfg.WorkingDir == "" {
		cfg.WorkingDir = ic.Config.WorkingDir
	}
	if cfg.User == "" {
		cfg.User = ic.Config.User
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = ic.Config.StopSignal
	}
	cfg.Healthcheck = mergeHealthcheck(ic.Config.Healthcheck, cfg.Healthcheck)
	labels := map[string]string{}
	for k, v := range ic.Config.Labels {
		labels[k] = v
	}
	for k, v := range cfg.Labels {
		labels[k] = v
	}
	cfg.Labels = labels
	for p := range ic.Config.ExposedPorts {
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = network.PortSet{}
		}
		if port, err := network.ParsePort(p); err == nil {
			cfg.ExposedPorts[port] = struct{}{}
		}
	}
	if len(ic.Config.Volumes) > 0 && cfg.Volumes == nil {
		cfg.Volumes = map[string]struct{}{}
	}
	for v := range ic.Config.Volumes {
		cfg.Volumes[v] = struct{}{}
	}
	argv := append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
	if len(argv) == 0 {
		return nil, invalid("no command specified")
	}
	id := newID()
	if cfg.Hostname == "" {
		cfg.Hostname = id[:12]
	}
	hc := req.HostConfig
	if hc.NetworkMode == "" || hc.NetworkMode == network.NetworkDefault {
		hc.NetworkMode = "bridge"
	}
	if hc.LogConfig.Type == "" {
		hc.LogConfig.Type = "json-file"
	}
	if hc.Runtime == "" {
		hc.Runtime = c.runtimeName()
	}
	nets := map[string]*network.EndpointSettings{string(hc.NetworkMode): {}}
	if hc.NetworkMode.IsContainer() {
		nets = map[string]*network.EndpointSettings{} // shares another container's
	}
	if req.NetworkingConfig != nil && len(req.NetworkingConfig.EndpointsConfig) > 0 {
		nets = map[string]*network.EndpointSettings{}
		for name, ep := range req.NetworkingConfig.EndpointsConfig {
			if name == network.NetworkDefault {
				name = network.NetworkBridge // the CLI names the default network "default"
			}
			nets[name] = ep
		}
	}
	return &containerRecord{
		ID:         id,
		Created:    c.now(),
		Path:       argv[0],
		Args:       argv[1:],
		Config:     &cfg,
		HostConfig: hc,
		Networks:   nets,
		ImageID:    img.ID,
		State:      container.State{Status: container.StateCreated, StartedAt: formatTime(time.Time{}), FinishedAt: formatTime(time.Time{})},
	}, nil
}

// runcRuntime is the OCI runtime dockerd names by default; clients name
// it in HostConfig.Runtime, and whichever runtime runs the container
// stands in for it.
const runcRuntime = "runc"

// logDrivers are the log drivers dockerd has built in; a container may
// name any of them (its output is kept by the backend's own log store
// whichever it names), and no other: there are no logging plugins.
var logDrivers = map[string]bool{
	"json-file": true, "local": true, "none": true, "syslog": true, "journald": true, "gelf": true,
	"fluentd": true, "awslogs": true, "splunk": true, "etwlogs": true, "gcplogs": true, "logentries": true,
}

// validateHostConfig checks hc for a backend whose runtime is named
// runtime (HostConfig.Runtime may name it, or runc).
func validateHostConfig(hc *container.HostConfig, runtime string) error {
	if hc.AutoRemove && hc.RestartPolicy.Name != "" && hc.RestartPolicy.Name != container.RestartPolicyDisabled {
		return invalid("can't create 'AutoRemove' container with restart policy")
	}
	if err := container.ValidateRestartPolicy(hc.RestartPolicy); err != nil {
		return invalid("%v", err)
	}
	if hc.Runtime != "" && hc.Runtime != runcRuntime && hc.Runtime != runtime {
		// dockerd's own words; each Sockerless runtime stands in for runc.
		return invalid("Unknown runtime specified %s", hc.Runtime)
	}
	if t := hc.LogConfig.Type; t != "" && !logDrivers[t] {
		return invalid("logger: no log driver named '%s' is registered", t)
	}
	if hc.Privileged {
		return invalid("privileged containers are not supported by sockerless: there is no host kernel to grant privileges on")
	}
	return nil
}

// mergeEnv overlays override on base by variable name.
func mergeEnv(base, override []string) []string {
	out := append([]string{}, base...)
	idx := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		idx[k] = i
	}
	for _, kv := range override {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[k]; ok {
			out[i] = kv
			continue
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	return out
}
