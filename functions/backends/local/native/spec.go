//go:build linux && cgo

package native

import (
	"github.com/opencontainers/runc/libcontainer/configs"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// agentPath is where the agent binary appears inside containers, as in
// the engine runtime.
const agentPath = "/.sockerless/agent"

// containerConfig is the libcontainer configuration of w rooted at
// rootfs (the mounted overlay): nsrun's, which is dockerd's defaults,
// with w's hostname, mounts, network and limits and the agent
// bind-mounted read-only.
//
// edgeSock, when set, is the host end of the unix socket the agent
// reaches the edge through (a container without the host's network).
func containerConfig(w core.Workload, rootfs, agent, edgeSock, cgroup string, net *startNet) (*configs.Config, error) {
	s := nsrun.Spec{
		Rootfs: rootfs, ReadOnly: w.ReadOnlyRoot, Hostname: w.Hostname, Tmpfs: w.Tmpfs,
		HostNetwork: net.mode == netHost, NetNS: net.nsPath, Cgroup: cgroup,
		Memory: w.MemoryBytes, Pids: w.PidsLimit, NanoCPUs: w.NanoCPUs,
	}
	if net.holder != nil {
		s.UserNS, s.MountNS = net.holder.NS("user"), net.holder.NS("mnt")
	}
	s.Mounts = append(s.Mounts, nsrun.Mount{Source: agent, Target: agentPath, Options: []string{"bind", "ro", "nosuid", "nodev"}})
	if edgeSock != "" {
		s.Mounts = append(s.Mounts, nsrun.Mount{Source: edgeSock, Target: edgeSocket, Options: []string{"bind", "nosuid", "nodev", "noexec"}})
	}
	for _, m := range w.Mounts {
		opts := []string{"rbind"}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		s.Mounts = append(s.Mounts, nsrun.Mount{Source: m.Source, Target: m.Target, Options: opts})
	}
	return nsrun.Config(s)
}
