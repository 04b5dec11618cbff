//go:build linux && cgo

package native

import (
	"fmt"

	"github.com/moby/sys/user"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// Rootless: not as root, each container runs in a user namespace of its
// own (this user as root in it, subordinate IDs where /etc/subuid grants
// some), its overlay mounted there by a holder process (nsrun.Holder).
// What needs root on the host is not there: no bridges or veths (a
// container of a bridge or user-defined network has a network namespace
// of its own with loopback only; -p reaches it through the holder), no
// joining another container's network namespace (another user
// namespace's), and no cgroup limits (core discards them, see Limits).

// rootlessErr is a refusal of what a rootless container cannot do,
// naming what can (core reports it as dockerd reports a runtime's).
func rootlessErr(format string, args ...any) error {
	return fmt.Errorf("%s: the native runtime runs rootless here (not as root); use --runtime sandbox, or run sockerless as root", fmt.Sprintf(format, args...))
}

// rootlessNet refuses the networks a rootless container cannot join.
func rootlessNet(mode netMode) error {
	if mode == netContainer {
		return rootlessErr("cannot join another container's network namespace")
	}
	return nil
}

// rootlessUser refuses a user the container's user namespace has no ID
// for, and drops the image's supplementary groups (a user namespace
// without subordinate IDs cannot set groups; libcontainer refuses any).
func rootlessUser(w core.Workload, u *user.ExecUser) error {
	if len(w.GroupAdd) > 0 {
		return rootlessErr("--group-add cannot be set in a user namespace")
	}
	if !nsrun.UserMapped(u.Uid, u.Gid) {
		return rootlessErr("user %d:%d has no ID in the container's user namespace (only 0, and subordinate IDs from /etc/subuid and /etc/subgid with newuidmap installed)", u.Uid, u.Gid)
	}
	u.Sgids = nil
	return nil
}

// DiscardsLimits implements core.LimitDiscarder: a rootless container
// has no cgroup of its own to hold limits in.
func (d *Driver) DiscardsLimits() bool { return d.rootless }

var _ core.LimitDiscarder = (*Driver)(nil)
