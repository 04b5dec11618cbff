//go:build linux && cgo

package nsrun

import (
	"path"
	"strings"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultCaps is dockerd's default capability set.
var defaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// cfsPeriod is the CFS period --cpus is a share of, as dockerd sets it.
const cfsPeriod = 100000

// Config is the libcontainer configuration of s: runc's example spec,
// which is dockerd's defaults for /proc, /sys (read-only), a minimal
// /dev and masked paths, with dockerd's capabilities and s's hostname,
// mounts, network and limits.
func Config(s Spec) (*configs.Config, error) {
	spec := specconv.Example()
	spec.Root = &specs.Root{Path: s.Rootfs, Readonly: s.ReadOnly}
	spec.Hostname = s.Hostname
	spec.Process.Capabilities = &specs.LinuxCapabilities{
		Bounding: defaultCaps, Permitted: defaultCaps, Effective: defaultCaps,
	}
	spec.Process.NoNewPrivileges = false
	spec.Process.Rlimits = nil
	for _, m := range s.Mounts {
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: path.Clean(m.Target), Type: "bind", Source: m.Source, Options: m.Options})
	}
	for dst, opts := range s.Tmpfs {
		// dockerd's defaults, then what --tmpfs PATH:OPTS says.
		o := []string{"nosuid", "nodev", "noexec"}
		if opts != "" {
			o = append(o, strings.Split(opts, ",")...)
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: path.Clean(dst), Type: "tmpfs", Source: "tmpfs", Options: o})
	}
	switch {
	case s.HostNetwork:
		spec.Linux.Namespaces = withoutNamespace(spec.Linux.Namespaces, specs.NetworkNamespace)
	case s.NetNS != "":
		for i, ns := range spec.Linux.Namespaces {
			if ns.Type == specs.NetworkNamespace {
				spec.Linux.Namespaces[i].Path = s.NetNS
			}
		}
	}
	spec.Linux.CgroupsPath = s.Cgroup
	res := spec.Linux.Resources
	if s.Memory > 0 {
		limit := s.Memory
		// No swap beyond the limit, so going over it is an OOM kill,
		// as with dockerd's default --memory-swap (twice the memory)
		// on a machine without swap.
		res.Memory = &specs.LinuxMemory{Limit: &limit, Swap: &limit}
	}
	if s.Pids > 0 {
		limit := s.Pids
		res.Pids = &specs.LinuxPids{Limit: &limit}
	}
	if s.NanoCPUs > 0 {
		period := uint64(cfsPeriod)
		quota := s.NanoCPUs * cfsPeriod / 1e9
		res.CPU = &specs.LinuxCPU{Period: &period, Quota: &quota}
	}
	rootless := s.UserNS != "" || Rootless()
	if rootless {
		if err := toRootless(s, spec); err != nil {
			return nil, err
		}
	}
	return specconv.CreateLibcontainerConfig(&specconv.CreateOpts{
		CgroupName: path.Base(s.Cgroup), Spec: spec, NoNewKeyring: true,
		RootlessEUID: rootless, RootlessCgroups: rootless,
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
