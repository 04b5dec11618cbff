package core

import "github.com/moby/moby/api/types/container"

// LimitDiscarder is a Compute that cannot hold a container's cgroup
// limits: local mode's native runtime rootless, where nothing delegates
// a cgroup to this user (cgroup v1 delegates none). As rootless dockerd
// does on such a host, core discards the limits at create with the
// warnings dockerd gives where its kernel lacks the controllers, and
// refuses --cpus as dockerd does without the CFS controller: a limit
// the container only appears to have is worse than none said aloud.
type LimitDiscarder interface {
	DiscardsLimits() bool
}

// discardLimits clears the limits hc sets that the compute cannot hold,
// returning dockerd's warnings, or dockerd's error for --cpus.
func (c *Core) discardLimits(hc *container.HostConfig) ([]string, error) {
	warnings := []string{}
	ld, ok := c.cfg.Compute.(LimitDiscarder)
	if !ok || !ld.DiscardsLimits() {
		return warnings, nil
	}
	if hc.NanoCPUs > 0 {
		return nil, invalid("NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted")
	}
	discard := []struct {
		set     bool
		clear   func()
		warning string
	}{
		{hc.Memory > 0, func() { hc.Memory, hc.MemorySwap = 0, -1 }, "Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded."},
		{hc.MemoryReservation > 0, func() { hc.MemoryReservation = 0 }, "Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded."},
		{hc.PidsLimit != nil && *hc.PidsLimit > 0, func() { hc.PidsLimit = nil }, "Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded."},
		{hc.CPUShares > 0, func() { hc.CPUShares = 0 }, "Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded."},
		{hc.CPUPeriod > 0, func() { hc.CPUPeriod = 0 }, "Your kernel does not support CPU CFS scheduler. CPU period discarded."},
		{hc.CPUQuota > 0, func() { hc.CPUQuota = 0 }, "Your kernel does not support CPU CFS scheduler. CPU quota discarded."},
	}
	for _, d := range discard {
		if d.set {
			d.clear()
			warnings = append(warnings, d.warning)
		}
	}
	return warnings, nil
}
