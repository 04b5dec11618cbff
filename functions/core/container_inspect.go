package core

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

func (c *Core) containerInspect(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	return withLegacy(in, c.inspectOf(rec), map[string]map[string]any{"NetworkSettings": legacyNetworkSettingsOf(rec)}), nil
}

func (c *Core) inspectOf(rec *containerRecord) container.InspectResponse {
	st := rec.State
	mounts := rec.Mounts
	if mounts == nil {
		mounts = []container.MountPoint{}
	}
	return container.InspectResponse{
		ID: rec.ID, Created: formatTime(rec.Created), Path: rec.Path, Args: nonNil(rec.Args),
		State: &st, Image: rec.ImageID, Name: rec.Name, RestartCount: rec.RestartCount,
		Driver: c.cfg.Backend, Platform: "linux", ExecIDs: rec.ExecIDs,
		HostConfig: rec.HostConfig, Mounts: mounts, Config: rec.Config,
		NetworkSettings: &container.NetworkSettings{
			Ports:    portMap(rec),
			Networks: operational(rec.Networks, rec.running()),
		},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (c *Core) containerList(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), containerFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	for _, s := range f["status"] {
		switch container.ContainerState(s) {
		case container.StateCreated, container.StateRunning, container.StatePaused, container.StateRestarting,
			container.StateRemoving, container.StateExited, container.StateDead:
		default:
			return call.Reply{}, invalid("invalid filter 'status=%s'", s)
		}
	}
	all := truthy(in.Query.Get("all")) || len(f["status"]) > 0 || len(f["exited"]) > 0
	limit, _ := strconv.Atoi(in.Query.Get("limit"))
	recs, err := c.containers(ctx, keyContainer)
	if err != nil {
		return call.Reply{}, err
	}
	out := []container.Summary{}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Created.After(recs[j].Created) })
	for i := range recs {
		rec, err := c.reconcile(ctx, &recs[i])
		if err != nil {
			continue
		}
		if !all && !rec.running() {
			continue
		}
		if !c.matchContainer(f, rec) {
			continue
		}
		sum := c.summaryOf(rec)
		sum.Names = append(sum.Names, linkNames(rec, recs)...)
		out = append(out, sum)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return jsonReply(http.StatusOK, out), nil
}

func (c *Core) matchContainer(f filters, rec *containerRecord) bool {
	return f.any("id", func(v string) bool { return strings.HasPrefix(rec.ID, v) }) &&
		f.any("name", func(v string) bool { return nameMatch(v, rec.Name) }) &&
		f.any("status", func(v string) bool { return v == string(rec.State.Status) }) &&
		f.any("health", func(v string) bool { return v == string(healthStatus(rec.State.Health)) }) &&
		f.any("exited", func(v string) bool {
			return rec.State.Status == container.StateExited && v == strconv.Itoa(rec.State.ExitCode)
		}) &&
		f.any("ancestor", func(v string) bool { return v == rec.Config.Image || strings.HasPrefix(rec.ImageID, v) }) &&
		f.any("network", func(v string) bool { _, ok := rec.Networks[v]; return ok }) &&
		f.any("volume", func(v string) bool {
			for _, m := range rec.Mounts {
				if m.Name == v || m.Destination == v {
					return true
				}
			}
			return false
		}) &&
		f.labels("label", rec.Config.Labels)
}

func (c *Core) summaryOf(rec *containerRecord) container.Summary {
	s := container.Summary{
		ID: rec.ID, Names: []string{rec.Name}, Image: rec.Config.Image, ImageID: rec.ImageID,
		Command: commandString(rec), Created: rec.Created.Unix(), Ports: portSummaries(rec),
		Labels: rec.Config.Labels, State: rec.State.Status, Status: c.statusString(rec),
		NetworkSettings: &container.NetworkSettingsSummary{Networks: operational(rec.Networks, rec.running())},
		Mounts:          nonNilMounts(rec.Mounts),
	}
	s.HostConfig.NetworkMode = string(rec.HostConfig.NetworkMode)
	return s
}

func nonNilMounts(m []container.MountPoint) []container.MountPoint {
	if m == nil {
		return []container.MountPoint{}
	}
	return m
}

func commandString(rec *containerRecord) string {
	parts := []string{rec.Path}
	for _, a := range rec.Args {
		if strings.Contains(a, " ") {
			a = "'" + a + "'" // as dockerd shows it (compose ps, docker ps)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// statusString is the human "Up 3 seconds" / "Exited (0) 2 minutes ago".
func (c *Core) statusString(rec *containerRecord) string {
	now := c.now()
	switch rec.State.Status {
	case container.StateRunning:
		started, _ := time.Parse(time.RFC3339Nano, rec.State.StartedAt)
		return "Up " + units.HumanDuration(now.Sub(started)) + healthSuffix(rec.State.Health)
	case container.StateExited:
		finished, _ := time.Parse(time.RFC3339Nano, rec.State.FinishedAt)
		return fmt.Sprintf("Exited (%d) %s ago", rec.State.ExitCode, units.HumanDuration(now.Sub(finished)))
	case container.StateCreated:
		return "Created"
	default:
		return string(rec.State.Status)
	}
}
