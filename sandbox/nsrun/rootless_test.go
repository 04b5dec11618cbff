//go:build linux && cgo

package nsrun_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/sandbox/nsrun"
	"github.com/sockerless/sockerless/sandbox/nsrun/unprivileged"
)

// TestStartRootless runs a container to its exit as an unprivileged user,
// as the simulators run their tasks' workloads: root in a user namespace
// of its own, over an overlay mounted there, on loopback only or the
// host's network.
func TestStartRootless(t *testing.T) {
	if unprivileged.Rerun(t) {
		return
	}
	if err := nsrun.Supported(); err != nil {
		t.Skip(err)
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("no /bin/busybox (apt install busybox-static): %v", err)
	}
	lower := t.TempDir()
	if err := os.MkdirAll(filepath.Join(lower, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lower, "bin", "busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("busybox", filepath.Join(lower, "bin", "sh")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		host       bool
		wantStdout string
	}{
		{name: "loopback only", wantStdout: "0 65534 1\nlo\n"},
		{name: "the host's network", host: true, wantStdout: "0 65534 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var stdout, stderr bytes.Buffer
			p, err := nsrun.Start(context.Background(), nsrun.RunSpec{
				Spec: nsrun.Spec{Hostname: "rootless", HostNetwork: tc.host, Cgroup: "/sockerless-test/rootless", Memory: 64 << 20},
				ID:   "rootless", State: filepath.Join(dir, "state"), Lower: lower, Dir: filepath.Join(dir, "c"),
				Args:   []string{"/bin/sh", "-c", "busybox cat /proc/self/uid_map | busybox tr -s ' ' | busybox sed 's/^ //'; [ -e /sys/class/net/lo ] && [ ! -e /sys/class/net/eth0 ] && [ \"$(busybox ls /sys/class/net)\" = lo ] && echo lo; exit 5"},
				Stdout: &stdout, Stderr: &stderr,
			})
			if err != nil {
				t.Fatal(err)
			}
			if code := p.Wait(); code != 5 || stdout.String() != tc.wantStdout {
				t.Errorf("exit %d, stdout %q, stderr %q; want 5, %q", code, stdout.String(), stderr.String(), tc.wantStdout)
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "c")); len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "upper") {
				t.Errorf("left in the container's directory: %v, want only its upper layer", entries)
			}
		})
	}
}
