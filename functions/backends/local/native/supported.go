//go:build linux && cgo

package native

import (
	"errors"
	"os"
	"runtime"
	"strings"

	"github.com/opencontainers/runc/libcontainer"
	// nsexec, the C half of a container's init, runs before the Go
	// runtime in the re-executed binary.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
	// Device cgroup rules (a minimal /dev) need the devices manager.
	_ "github.com/opencontainers/cgroups/devices"
)

// libcontainer starts every container by executing this binary again
// as "init" with its pipes in the environment; that process becomes the
// container's init and never returns here. Any binary linking this
// package (sockerless, its tests) serves so.
//
// The main goroutine is also locked to the main thread here, for the
// life of the program: libcontainer joins a starting container's mount
// namespace on a locked thread and lets the Go runtime end that thread
// after, which it cannot do with the main thread. That one would stay in
// the container's namespace for good, keeping its mounts alive and
// making /proc/self (the main thread's view) describe the container.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" && os.Getenv("_LIBCONTAINER_INITPIPE") != "" {
		libcontainer.Init()
	}
	runtime.LockOSThread()
}

// Supported says whether this process can run native containers, and
// why not: root, overlayfs and cgroups are needed. Rootless containers
// (user namespaces) are not implemented yet.
func Supported() error {
	if os.Geteuid() != 0 {
		return errors.New("the native runtime needs root (rootless containers in user namespaces are not implemented yet): run as root, or use --runtime sandbox")
	}
	fss, err := os.ReadFile("/proc/filesystems")
	if err != nil || !strings.Contains(string(fss), "\toverlay\n") {
		return errors.New("the native runtime needs the kernel's overlay filesystem (modprobe overlay), or use --runtime sandbox")
	}
	if _, err := os.Stat("/sys/fs/cgroup"); err != nil {
		return errors.New("the native runtime needs cgroups mounted at /sys/fs/cgroup, or use --runtime sandbox")
	}
	return nil
}
