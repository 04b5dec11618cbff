//go:build linux && cgo

package nsrun

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// MountOverlay mounts lower (read-only, shared) under upper (the
// container's own layer) at merged, with work as the overlay's scratch.
// index, redirect_dir and metacopy are off: the layer holds only plain
// files and whiteouts, which a layer at rest can be read back from.
func MountOverlay(lower, upper, work, merged string) error {
	return mountOverlay(lower, upper, work, merged, "redirect_dir=off")
}

// mountOverlay is MountOverlay with more options: redirect_dir=off as
// root; userxattr in a user namespace (whose xattrs are user.overlay.*,
// and which never follows redirects).
func mountOverlay(lower, upper, work, merged, more string) error {
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s,index=off,metacopy=off,%s",
		escapeOpt(lower), escapeOpt(upper), escapeOpt(work), more)
	if err := unix.Mount("overlay", merged, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mount the overlay root at %s: %w", merged, err)
	}
	return nil
}

// Unmount unmounts merged; it is no error when nothing is mounted there
// (a container that never ran, or a retried call).
func Unmount(merged string) error {
	err := unix.Unmount(merged, unix.UMOUNT_NOFOLLOW)
	if err == nil || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		return nil
	}
	return fmt.Errorf("unmount %s: %w", merged, err)
}

// escapeOpt escapes what overlayfs's option parser splits on (commas
// between options, colons between lower layers) with backslashes, as
// it reads them, so any directory can be a layer.
func escapeOpt(dir string) string {
	return strings.NewReplacer(`\`, `\\`, ",", `\,`, ":", `\:`).Replace(dir)
}
