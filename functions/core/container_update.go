package core

import (
	"context"
	"net/http"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/functions/call"
)

// minMemory is dockerd's smallest memory limit.
const minMemory = 6 << 20

// containerUpdate answers POST /containers/{id}/update as dockerd does:
// the resources and restart policy the request sets (non-zero fields)
// replace the container's. The runtimes apply a workload's limits when
// they start it, so a running container gets them at its next start,
// and the answer's warnings say so.
func (c *Core) containerUpdate(ctx context.Context, in call.Call) (call.Reply, error) {
	var req container.UpdateConfig
	if err := decodeBody(in, &req, true); err != nil {
		return call.Reply{}, err
	}
	if req.Memory != 0 && req.Memory < minMemory {
		return call.Reply{}, invalid("Minimum memory limit allowed is 6MB")
	}
	if err := container.ValidateRestartPolicy(req.RestartPolicy); err != nil {
		return call.Reply{}, invalid("%v", err)
	}
	// A runtime that cannot hold limits discards them, as at create.
	hc := container.HostConfig{Resources: req.Resources}
	discarded, err := c.discardLimits(&hc)
	if err != nil {
		return call.Reply{}, err
	}
	req.Resources = hc.Resources
	found, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	limits := false
	rec, err := c.updateContainer(ctx, found.ID, func(r *containerRecord) error {
		if req.RestartPolicy.Name != "" && r.HostConfig.AutoRemove {
			return invalid("Cannot update container %s: Restart policy cannot be updated because AutoRemove is enabled for the container", r.ID)
		}
		limits = mergeResources(&r.HostConfig.Resources, req.Resources)
		if req.RestartPolicy.Name != "" {
			r.HostConfig.RestartPolicy = req.RestartPolicy
		}
		return nil
	})
	if err != nil {
		return call.Reply{}, err
	}
	resp := container.UpdateResponse{Warnings: discarded}
	if limits && rec.running() {
		resp.Warnings = append(resp.Warnings, "the "+c.cfg.Backend+" backend applies a container's resource limits when it starts it: the new ones hold from its next start")
	}
	c.emitContainer(ctx, rec, events.ActionUpdate, nil)
	return jsonReply(http.StatusOK, resp), nil
}

// mergeResources sets in dst the fields src sets, as dockerd's update
// does, and says whether it changed a limit a runtime enforces.
func mergeResources(dst *container.Resources, src container.Resources) (limits bool) {
	set := func(d *int64, s int64, enforced bool) {
		if s != 0 && *d != s {
			*d = s
			limits = limits || enforced
		}
	}
	set(&dst.Memory, src.Memory, true)
	set(&dst.MemorySwap, src.MemorySwap, false)
	set(&dst.MemoryReservation, src.MemoryReservation, false)
	set(&dst.NanoCPUs, src.NanoCPUs, true)
	set(&dst.CPUShares, src.CPUShares, false)
	set(&dst.CPUPeriod, src.CPUPeriod, false)
	set(&dst.CPUQuota, src.CPUQuota, false)
	set(&dst.CPURealtimePeriod, src.CPURealtimePeriod, false)
	set(&dst.CPURealtimeRuntime, src.CPURealtimeRuntime, false)
	if src.BlkioWeight != 0 {
		dst.BlkioWeight = src.BlkioWeight
	}
	if src.CpusetCpus != "" {
		dst.CpusetCpus = src.CpusetCpus
	}
	if src.CpusetMems != "" {
		dst.CpusetMems = src.CpusetMems
	}
	if src.PidsLimit != nil {
		dst.PidsLimit = src.PidsLimit
		limits = true
	}
	return limits
}
