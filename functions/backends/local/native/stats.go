//go:build linux && cgo

package native

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
)

// Stats is one sample of the container's cgroup counters (its agent's
// and its processes'), with the previous sample taken for it as
// PreCPUStats, from which `docker stats` works out CPU use as dockerd's
// stream gives it. It makes the driver a core.Meter.
func (d *Driver) Stats(ctx context.Context, id string) (container.StatsResponse, error) {
	d.mu.Lock()
	wl, ok := d.workloads[id]
	var pid int
	var mode netMode
	if ok && wl.net != nil {
		pid, mode = wl.status.Pid, wl.net.mode
	}
	d.mu.Unlock()
	if !ok {
		return container.StatsResponse{}, errors.New("the container is not running")
	}
	st, err := wl.c.Stats()
	if err != nil {
		return container.StatsResponse{}, err
	}
	cg := st.CgroupStats
	now := container.StatsResponse{Read: time.Now().UTC()}
	now.CPUStats = container.CPUStats{
		CPUUsage: container.CPUUsage{
			TotalUsage:        cg.CpuStats.CpuUsage.TotalUsage,
			UsageInKernelmode: cg.CpuStats.CpuUsage.UsageInKernelmode,
			UsageInUsermode:   cg.CpuStats.CpuUsage.UsageInUsermode,
		},
		SystemUsage: systemCPU(),
		OnlineCPUs:  uint32(runtime.NumCPU()),
	}
	now.MemoryStats = container.MemoryStats{Usage: cg.MemoryStats.Usage.Usage, Limit: cg.MemoryStats.Usage.Limit, Stats: cg.MemoryStats.Stats}
	now.PidsStats = container.PidsStats{Current: cg.PidsStats.Current, Limit: cg.PidsStats.Limit}
	now.Networks = netStats(mode, pid)

	d.mu.Lock()
	pre := wl.lastStats
	wl.lastStats = now
	d.mu.Unlock()
	now.PreRead, now.PreCPUStats = pre.Read, pre.CPUStats
	return now, nil
}

// systemCPU is the host's CPU time in nanoseconds, as dockerd reports
// system_cpu_usage: the sum of /proc/stat's cpu line, in USER_HZ ticks.
func systemCPU() uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var ticks uint64
	for _, v := range f[1:8] {
		n, _ := strconv.ParseUint(v, 10, 64)
		ticks += n
	}
	const userHZ = 100
	return ticks * (1e9 / userHZ)
}
