//go:build linux && cgo

package native

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/sockerless/sockerless/functions/backends/local/native/whiteouts"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// The overlay of a running container: the image's unpacked root
// (shared, read-only) under the container's layer, merged at rootfs.
// The layer is in the kernel's whiteout form only while mounted, so
// everything reading it at rest (diff, export, commit, docker cp before
// start) reads the sandbox runtime's form.

func (d *Driver) rootfsDir(id string) string { return filepath.Join(d.ContainerDir(id), "merged") }
func (d *Driver) workDir(id string) string   { return filepath.Join(d.ContainerDir(id), "ovl-work") }

// mountRootfs mounts the overlay of container id over lower: here, or
// for a rootless container in the user and mount namespaces of a holder
// (with the network namespace sn's container gets when it has none of
// the host's), which sn keeps.
func (d *Driver) mountRootfs(id, lower string, sn *startNet) (string, error) {
	upper, work, merged := d.UpperDir(id), d.workDir(id), d.rootfsDir(id)
	for _, dir := range []string{upper, work, merged} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	if err := whiteouts.ToKernel(upper); err != nil {
		return "", err
	}
	// The layer holds only what whiteouts.ToFiles turns back into an
	// OCI layer (see nsrun.MountOverlay).
	if d.rootless {
		var s nsrun.Spec
		s.HostNetwork = sn.mode == netHost
		h, err := nsrun.RootlessRoot(&s, nsrun.RootSpec{Lower: lower, Upper: upper, Work: work, Merged: merged})
		if err != nil {
			_ = whiteouts.ToFiles(upper)
			return "", fmt.Errorf("container %s: %w", id, err)
		}
		sn.holder = h
		if !s.HostNetwork {
			sn.nsPath = s.NetNS
		}
		return merged, nil
	}
	if err := nsrun.MountOverlay(lower, upper, work, merged); err != nil {
		_ = whiteouts.ToFiles(upper)
		return "", fmt.Errorf("container %s: %w", id, err)
	}
	return merged, nil
}

// unmountRootfs undoes mountRootfs; it is no error when nothing is
// mounted (a container that never ran, or a retried call).
func (d *Driver) unmountRootfs(id string) error {
	merged := d.rootfsDir(id)
	// A rootless container's root was mounted only in its holder's
	// namespace, which is gone with it.
	if err := nsrun.Unmount(merged); err != nil && !d.rootless {
		return fmt.Errorf("the root of %s: %w", id, err)
	}
	if _, serr := os.Stat(d.UpperDir(id)); serr == nil {
		if err := whiteouts.ToFiles(d.UpperDir(id)); err != nil {
			return err
		}
		removeMountStubs(d.UpperDir(id))
	}
	return errors.Join(nsrun.RemoveAll(d.workDir(id)), os.RemoveAll(merged))
}

// mountStubs are the mount points the runtime's own mounts need, which
// runc makes in the container's layer where the image has none. Like
// dockerd's init layer, they are not the container's changes.
var mountStubs = []string{agentPath, edgeSocket, path.Dir(agentPath), "/dev", "/proc", "/sys"}

// removeMountStubs removes, from a layer at rest, the mount points in
// mountStubs that are still empty, as runc left them.
func removeMountStubs(upper string) {
	for _, p := range mountStubs {
		full := filepath.Join(upper, p)
		fi, err := os.Lstat(full)
		if err != nil || (fi.Mode().IsRegular() && fi.Size() > 0) || (!fi.IsDir() && !fi.Mode().IsRegular()) {
			continue
		}
		_ = os.Remove(full) // a directory that is not empty stays
	}
}
