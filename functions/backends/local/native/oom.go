//go:build linux && cgo

package native

import (
	"bufio"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opencontainers/runc/libcontainer"
)

// oomKilled says whether the kernel killed a process of the container
// for going over its memory limit: the oom_kill counter of its memory
// cgroup (memory.oom_control on cgroup v1, memory.events on v2), which
// the kernel raises as it kills, before anyone sees the death. paths
// are the container's cgroups as cgroupPaths copied them.
func oomKilled(paths map[string]string) bool {
	for _, dir := range paths {
		for _, f := range []string{"memory.oom_control", "memory.events"} {
			if counter(filepath.Join(dir, f), "oom_kill") > 0 {
				return true
			}
		}
	}
	return false
}

// cgroupPaths copies the cgroup directories of a container that just
// started: libcontainer's State hands out its cgroup manager's own map,
// which its Destroy changes while a Status may be reading it.
func cgroupPaths(c *libcontainer.Container) map[string]string {
	st, err := c.State()
	if err != nil {
		return nil
	}
	return maps.Clone(st.CgroupPaths)
}

// counter reads the value of key in a cgroup file of "key value" lines;
// 0 when the file or key is missing.
func counter(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}
