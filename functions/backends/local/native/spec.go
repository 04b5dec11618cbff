//go:build linux && cgo

package native

import (
	"path"
	"strings"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sockerless/sockerless/functions/core"
)

// agentPath is where the agent binary appears inside containers, as in
// the engine runtime.
const agentPath = "/.sockerless/agent"

// defaultCaps is dockerd's default capability set.
var defaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// cfsPeriod is the CFS period --cpus is a share of, as dockerd sets it.
const cfsPeriod = 100000

// containerConfig is the libcontainer configuration of w rooted at
// rootfs (the mounted overlay): runc's example spec, which is dockerd's
// defaults for /proc, /sys (read-only), a minimal /dev and masked paths,
// with dockerd's capabilities, w's hostname, mounts and limits, and the
// agent bind-mounted read-only.
//
// edgeSock, when set, is the host end of the unix socket the agent
// reaches the edge through (a container without the host's network).
func containerConfig(w core.Workload, rootfs, agent, edgeSock, cgroup string, net *startNet) (*configs.Config, error) {
	spec := specconv.Example()
	spec.Root = &specs.Root{Path: rootfs, Readonly: w.ReadOnlyRoot}
	spec.Hostname = w.Hostname
	spec.Process.Capabilities = &specs.LinuxCapabilities{
		Bounding: defaultCaps, Permitted: defaultCaps, Effective: defaultCaps,
	}
	spec.Process.NoNewPrivileges = false
	spec.Process.Rlimits = nil
	spec.Mounts = append(spec.Mounts, specs.Mount{
		Destination: agentPath, Type: "bind", Source: agent,
		Options: []string{"bind", "ro", "nosuid", "nodev"},
	})
	if edgeSock != "" {
		spec.Mounts = append(spec.Mounts, specs.Mount{
			Destination: edgeSocket, Type: "bind", Source: edgeSock,
			Options: []string{"bind", "nosuid", "nodev", "noexec"},
		})
	}
	for _, m := range w.Mounts {
		opts := []string{"rbind"}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: path.Clean(m.Target), Type: "bind", Source: m.Source, Options: opts})
	}
	for dst, opts := range w.Tmpfs {
		// dockerd's defaults, then what --tmpfs PATH:OPTS says.
		o := []string{"nosuid", "nodev", "noexec"}
		if opts != "" {
			o = append(o, strings.Split(opts, ",")...)
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: path.Clean(dst), Type: "tmpfs", Source: "tmpfs", Options: o})
	}
	switch {
	case net.mode == netHost:
		spec.Linux.Namespaces = withoutNamespace(spec.Linux.Namespaces, specs.NetworkNamespace)
	case net.nsPath != "":
		// A namespace made and wired beforehand, or another container's.
		for i, ns := range spec.Linux.Namespaces {
			if ns.Type == specs.NetworkNamespace {
				spec.Linux.Namespaces[i].Path = net.nsPath
			}
		}
	}
	spec.Linux.CgroupsPath = cgroup
	res := spec.Linux.Resources
	if w.MemoryBytes > 0 {
		limit := w.MemoryBytes
		// No swap beyond the limit, so going over it is an OOM kill,
		// as with dockerd's default --memory-swap (twice the memory)
		// on a machine without swap.
		res.Memory = &specs.LinuxMemory{Limit: &limit, Swap: &limit}
	}
	if w.PidsLimit > 0 {
		limit := w.PidsLimit
		res.Pids = &specs.LinuxPids{Limit: &limit}
	}
	if w.NanoCPUs > 0 {
		period := uint64(cfsPeriod)
		quota := w.NanoCPUs * cfsPeriod / 1e9
		res.CPU = &specs.LinuxCPU{Period: &period, Quota: &quota}
	}
	return specconv.CreateLibcontainerConfig(&specconv.CreateOpts{
		CgroupName: path.Base(cgroup), Spec: spec, NoNewKeyring: true,
	})
}

func withoutNamespace(nss []specs.LinuxNamespace, t specs.LinuxNamespaceType) []specs.LinuxNamespace {
	out := nss[:0]
	for _, ns := range nss {
		if ns.Type != t {
			out = append(out, ns)
		}
	}
	return out
}
