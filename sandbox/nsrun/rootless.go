//go:build linux && cgo

package nsrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Rootless says whether containers run rootless here: this process is
// not root, so each container runs in a user namespace of its own (see
// Holder), with no cgroup limits (an unprivileged process may not write
// cgroup v1's hierarchies, and cgroup v2's only where a parent delegated
// one), no veths or bridges on the host, and the IDs idMaps grants.
func Rootless() bool { return os.Geteuid() != 0 }

var (
	rootlessOnce sync.Once
	rootlessErr  error
)

// rootlessSupported tries, once, what a rootless container needs: a
// holder in new user, mount and network namespaces mounting an overlay.
func rootlessSupported() error {
	rootlessOnce.Do(func() { rootlessErr = probeRootless() })
	return rootlessErr
}

func probeRootless() error {
	dir, err := os.MkdirTemp("", "nsrun-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rs RootSpec
	rs.Net = true
	rs.Lower, rs.Upper, rs.Work, rs.Merged = filepath.Join(dir, "l"), filepath.Join(dir, "u"), filepath.Join(dir, "w"), filepath.Join(dir, "m")
	for _, d := range []string{rs.Lower, rs.Upper, rs.Work, rs.Merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	h, err := StartHolder(rs)
	if err != nil {
		return fmt.Errorf("the native runtime needs root or user namespaces an unprivileged process may create and mount an overlay in (this process runs as uid %d: %v)", os.Geteuid(), err)
	}
	return h.Close()
}

// toRootless turns spec, s's, into a rootless container's: it joins its
// holder's user and mount (and network) namespaces, keeps no cgroup
// limits, and binds the host's /sys where it has no network namespace
// its user namespace owns (sysfs cannot be mounted there).
func toRootless(s Spec, spec *specs.Spec) error {
	if s.UserNS == "" || s.MountNS == "" {
		return errNoHolder
	}
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: s.UserNS})
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.MountNamespace {
			spec.Linux.Namespaces[i].Path = s.MountNS
		}
	}
	// No cgroup path: libcontainer ignores a rootless container's
	// cgroup errors only when it was given none.
	spec.Linux.Resources, spec.Linux.CgroupsPath = nil, ""
	var out []specs.Mount
	for _, m := range spec.Mounts {
		if m.Destination == "/sys" && s.HostNetwork {
			m.Type, m.Source, m.Options = "none", "/sys", []string{"rbind", "nosuid", "noexec", "nodev", "ro"}
		}
		var opts []string
		for _, o := range m.Options {
			// devpts's gid=5 exists only with subordinate IDs.
			if !strings.HasPrefix(o, "gid=") && !strings.HasPrefix(o, "uid=") {
				opts = append(opts, o)
			}
		}
		m.Options = opts
		out = append(out, m)
	}
	spec.Mounts = out
	return nil
}

var errNoHolder = errors.New("a rootless container needs its holder's namespaces (Spec.UserNS, Spec.MountNS)")
