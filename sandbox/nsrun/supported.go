//go:build linux && cgo

package nsrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/opencontainers/runc/libcontainer"
	// Device cgroup rules (a minimal /dev) need the devices manager.
	_ "github.com/opencontainers/cgroups/devices"
	// nsexec, the C half of a container's init, runs before the Go
	// runtime in the re-executed binary.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
)

// libcontainer starts every container by executing this binary again
// as "init" with its pipes in the environment; that process becomes the
// container's init and never returns here. Any binary linking this
// package (sockerless, awssim, their tests) serves so.
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
	if len(os.Args) > 1 && os.Args[1] == holderArg && os.Getenv(holderEnv) == "1" {
		holderMain()
	}
	runtime.LockOSThread()
}

// Supported says whether this process can run containers, and if not,
// what is missing: the overlay filesystem, network namespaces, and
// either root with cgroups with the memory and pids controllers (v1 or
// v2) or, not as root, user namespaces the kernel lets it make and mount
// an overlay in (see Rootless).
func Supported() error {
	fss, err := os.ReadFile("/proc/filesystems")
	if err != nil || !strings.Contains(string(fss), "\toverlay\n") {
		return errors.New("the native runtime needs the kernel's overlay filesystem (modprobe overlay)")
	}
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		return errors.New("the native runtime needs network namespaces (a kernel built with CONFIG_NET_NS)")
	}
	if Rootless() {
		return rootlessSupported()
	}
	return cgroupsSupported()
}

// cgroupsSupported checks for the controllers the limits need: on
// cgroup v2 in the root's cgroup.controllers, on v1 as hierarchies.
func cgroupsSupported() error {
	need := []string{"memory", "pids"}
	if b, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		have := strings.Fields(string(b))
		for _, c := range need {
			if !slices.Contains(have, c) {
				return fmt.Errorf("the native runtime needs the %s cgroup controller, which /sys/fs/cgroup/cgroup.controllers lacks", c)
			}
		}
		return nil
	}
	for _, c := range need {
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", c)); err != nil {
			return fmt.Errorf("the native runtime needs cgroups with the %s controller mounted under /sys/fs/cgroup (v1 or v2)", c)
		}
	}
	return nil
}
