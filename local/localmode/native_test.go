package localmode

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/backends/local/native"
)

// nativeOrSkip starts local mode with the native runtime, or skips the
// test saying why this machine cannot run it.
func nativeOrSkip(t *testing.T) (*Instance, *client.Client, string) {
	t.Helper()
	if err := native.Supported(); err != nil {
		t.Skip(err)
	}
	data := filepath.Join(shortTempDir(t), "data")
	inst, cli := startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: data, Serialize: true,
		Runtime: RuntimeNative,
	})
	return inst, cli, data
}

// nativeRun is one container run to its exit: its exit code, output and
// final state. The container is removed before it returns.
type nativeRun struct {
	code           int64
	stdout, stderr string
	state          *container.State
}

func runNative(t *testing.T, cli *client.Client, cfg *container.Config, hc *container.HostConfig) nativeRun {
	t.Helper()
	// The first container of an image unpacks it, which takes a while
	// for a large one on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true}); err != nil {
			t.Errorf("remove: %v", err)
		}
	}()
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	var run nativeRun
	select {
	case res := <-wait.Result:
		run.code = res.StatusCode
	case err := <-wait.Error:
		t.Fatal(err)
	}
	run.stdout, run.stderr = logsOf(t, cli, created.ID)
	insp, err := cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	run.state = insp.Container.State
	return run
}

// leftovers counts what native containers hold on the host: mounts
// under the data directory and container cgroups (every controller).
func leftovers(t *testing.T, data string) (mounts, cgroups int) {
	t.Helper()
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mi), "\n") {
		if strings.Contains(line, data) {
			mounts++
		}
	}
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/sockerless/*")
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			cgroups++
		}
	}
	more, _ := filepath.Glob("/sys/fs/cgroup/sockerless/*") // cgroup v2
	for _, d := range more {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			cgroups++
		}
	}
	return mounts, cgroups
}

// TestNativeRuntime runs busybox containers on the native runtime and
// checks what dockerd does: exit codes and signals, isolation, limits,
// and that removal leaves nothing behind.
func TestNativeRuntime(t *testing.T) {
	_, cli, data := nativeOrSkip(t)
	ctx := context.Background()
	importImage(t, ctx, cli, busyboxRootfs(t), "bb:1")
	mounts0, cgroups0 := leftovers(t, data)
	pids := int64(20)

	cases := []struct {
		name       string
		cmd        []string
		hc         *container.HostConfig
		wantCode   int64
		wantStdout func(string) bool
		wantStderr string
		wantOOM    bool
	}{
		{name: "exit code is main's", cmd: []string{"sh", "-c", "exit 3"}, wantCode: 3},
		{name: "a signal is 128 plus its number", cmd: []string{"sh", "-c", "kill -TERM $$"}, wantCode: 143},
		{name: "output reaches the log", cmd: []string{"echo", "hello native"}, wantStdout: func(s string) bool { return s == "hello native\n" }},
		{
			name: "no host process is visible", cmd: []string{"busybox", "ps", "-o", "pid,comm"},
			// PID 1 the agent, main (ps) and nothing else.
			wantStdout: func(s string) bool {
				lines := strings.Split(strings.TrimSpace(s), "\n")
				return len(lines) == 3 && strings.Join(strings.Fields(lines[1]), " ") == "1 agent"
			},
		},
		{
			name: "the hostname is the container's", cmd: []string{"busybox", "hostname"},
			hc:         &container.HostConfig{NetworkMode: "none"},
			wantStdout: func(s string) bool { return len(strings.TrimSpace(s)) == 12 },
		},
		{
			name: "network none has only loopback", cmd: []string{"ls", "/sys/class/net"},
			hc:         &container.HostConfig{NetworkMode: "none"},
			wantStdout: func(s string) bool { return s == "lo\n" },
		},
		{
			name: "proc and sys are read-only", cmd: []string{"sh", "-c", "echo 1 > /proc/sys/kernel/domainname || echo x > /sys/kernel/profiling || echo refused"},
			wantStdout: func(s string) bool { return strings.HasSuffix(s, "refused\n") },
		},
		{
			name: "--read-only holds", cmd: []string{"sh", "-c", "touch /made || touch /tmp/made"},
			hc:       &container.HostConfig{ReadonlyRootfs: true},
			wantCode: 1, wantStderr: "Read-only file system",
		},
		{
			name: "--tmpfs is writable on a read-only root", cmd: []string{"sh", "-c", "touch /tmp/made && grep ' /tmp ' /proc/mounts"},
			hc:         &container.HostConfig{ReadonlyRootfs: true, Tmpfs: map[string]string{"/tmp": "size=1m"}},
			wantStdout: func(s string) bool { return strings.HasPrefix(s, "tmpfs /tmp tmpfs rw,nosuid,nodev,noexec") },
		},
		{
			name:     "over --memory the kernel kills it: 137 and OOMKilled",
			cmd:      []string{"busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"},
			hc:       &container.HostConfig{Resources: container.Resources{Memory: 64 << 20}},
			wantCode: 137, wantOOM: true,
		},
		{
			name: "--pids-limit bounds forks", cmd: []string{"sh", "-c", "for i in $(busybox seq 40); do sleep 5 & done; echo all forked"},
			hc:       &container.HostConfig{Resources: container.Resources{PidsLimit: &pids}},
			wantCode: 2, wantStderr: "can't fork",
		},
		{
			// cgroup v1's file, else v2's.
			name: "--cpus sets the CFS quota", cmd: []string{"sh", "-c", "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max"},
			hc:         &container.HostConfig{Resources: container.Resources{NanoCPUs: 500_000_000}},
			wantStdout: func(s string) bool { return s == "50000\n" || s == "50000 100000\n" },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run := runNative(t, cli, &container.Config{Image: "bb:1", Cmd: tc.cmd}, tc.hc)
			if run.code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stdout %q, stderr %q)", run.code, tc.wantCode, run.stdout, run.stderr)
			}
			if tc.wantStdout != nil && !tc.wantStdout(run.stdout) {
				t.Errorf("stdout %q (stderr %q)", run.stdout, run.stderr)
			}
			if !strings.Contains(run.stderr, tc.wantStderr) {
				t.Errorf("stderr %q, want it to say %q", run.stderr, tc.wantStderr)
			}
			if run.state.OOMKilled != tc.wantOOM {
				t.Errorf("State.OOMKilled %v, want %v", run.state.OOMKilled, tc.wantOOM)
			}
		})
	}
	t.Run("docker stats reads the cgroup", func(t *testing.T) { testEngineStats(t, ctx, cli, "") })
	t.Run("removal leaves no mount or cgroup", func(t *testing.T) {
		mounts, cgroups := leftovers(t, data)
		if mounts != mounts0 || cgroups != cgroups0 {
			mi, _ := os.ReadFile("/proc/self/mountinfo")
			t.Errorf("after removing every container: %d mounts and %d cgroups, before %d and %d\n%s", mounts, cgroups, mounts0, cgroups0, mi)
		}
	})
}
