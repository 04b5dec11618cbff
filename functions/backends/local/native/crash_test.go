//go:build linux && cgo

package native_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/backends/local/native"
	"github.com/sockerless/sockerless/functions/core"
)

// crashDirEnv names the data directory TestCrashHelper runs a container
// in, in a child process that TestCrashLeavesNothing kills.
const crashDirEnv = "SOCKERLESS_NATIVE_CRASH_DIR"

// TestCrashHelper is the process that dies with a container running: it
// starts one (its agent dials nowhere and keeps trying), says so and
// waits to be killed. It does nothing outside TestCrashLeavesNothing.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashLeavesNothing")
	}
	d, err := native.New(t.Context(), native.Config{Dir: dir, AgentURL: "ws://127.0.0.1:9/agent/v1/connect", AgentBinary: os.Getenv(agentEnv), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	img, err := d.Import(t.Context(), bytes.NewReader(busyboxImage(t)), []string{"ENV PATH=/bin"}, "")
	if err != nil {
		t.Fatal(err)
	}
	w := core.Workload{
		ID: strings.Repeat("c", 64), ImageID: img.ID, Hostname: "crash", Token: "t", Main: proto.ProcessSpec{Args: []string{"sleep", "600"}},
		NetworkMode: "bridge", Endpoints: []core.Endpoint{{
			NetworkID: strings.Repeat("b", 64), Network: "bridge", Address: netip.MustParsePrefix("172.17.0.2/16"),
			Gateway: netip.MustParseAddr("172.17.0.1"), MAC: net.HardwareAddr{2, 0x42, 172, 17, 0, 2},
		}},
	}
	if err := d.Prepare(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	st, err := d.Status(t.Context(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The network namespaces this process holds besides its own: the
	// bridges' (and the container's, until its init has it).
	own, _ := os.Readlink("/proc/self/ns/net")
	for _, ns := range heldNetns(os.Getpid()) {
		if ns != own {
			fmt.Println("netns", ns)
		}
	}
	fmt.Println("started", w.ID, st.Pid)
	time.Sleep(time.Hour)
}

// TestCrashLeavesNothing kills a process running a native container and
// opens the driver again over its directory: the container's process,
// mount and cgroups are gone.
func TestCrashLeavesNothing(t *testing.T) {
	if err := native.Supported(); err != nil {
		t.Skip(err)
	}
	busyboxImage(t) // skips without busybox
	dir := t.TempDir()
	id, pid, namespaces := crash(t, dir)
	mounts, cgroups := held(t, dir, id)
	if mounts == 0 || cgroups == 0 {
		t.Fatalf("after the crash: %d mounts, %d cgroups; the test needs the container to outlive its process", mounts, cgroups)
	}
	// The bridges' namespace went with the process, and the veth pair
	// with it: the container's namespace is down to loopback.
	// The kernel tears a namespace down in the background.
	var dev []byte
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		dev, err = os.ReadFile("/proc/" + pid + "/net/dev")
		if err != nil || !strings.Contains(string(dev), "eth0") || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || strings.Contains(string(dev), "eth0") {
		t.Errorf("the container's interfaces after the crash (%v):\n%s", err, dev)
	}
	d, err := native.New(t.Context(), native.Config{Dir: dir, AgentURL: "ws://127.0.0.1:9/agent/v1/connect", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if mounts, cgroups := held(t, dir, id); mounts != 0 || cgroups != 0 {
		t.Errorf("after opening the driver again: %d mounts, %d cgroups, want none", mounts, cgroups)
	}
	if st, err := d.Status(t.Context(), id); err != nil || st.Known || st.Running {
		t.Errorf("status after the crash: %+v, %v; want unknown (core records exit 255)", st, err)
	}
	// No process, descriptor or mount holds the network namespaces the
	// dead process held, so their bridges and veth ends are gone too.
	if len(namespaces) == 0 {
		t.Fatal("the helper held no network namespace besides its own: where were its bridges?")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		left := netnsHeld(t, namespaces)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the crash and a restart, still held: %v", left)
		}
	}
}

// crash runs TestCrashHelper over dir, kills it once its container runs,
// and returns the container's ID, its init's pid and the network
// namespaces the helper held besides its own (its bridges' among them).
func crash(t *testing.T, dir string) (id, pid string, namespaces []string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "netns" {
			namespaces = append(namespaces, f[1])
		}
		if len(f) == 3 && f[0] == "started" {
			id, pid = f[1], f[2]
			break
		}
	}
	if id == "" {
		_ = cmd.Process.Kill()
		t.Fatalf("the helper did not start a container: %v", cmd.Wait())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return id, pid, namespaces
}

// heldNetns lists the network namespaces ("net:[inode]") process pid
// holds open: its own and those its descriptors name.
func heldNetns(pid int) []string {
	var out []string
	if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid)); err == nil {
		out = append(out, ns)
	}
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && strings.HasPrefix(l, "net:[") {
			out = append(out, l)
		}
	}
	return out
}

// netnsHeld says which of namespaces any process on the machine still
// holds (as its own or through a descriptor), or a mount pins.
func netnsHeld(t *testing.T, namespaces []string) []string {
	t.Helper()
	want := map[string]bool{}
	for _, ns := range namespaces {
		want[ns] = true
	}
	found := map[string]bool{}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(p), "%d", &pid); err != nil {
			continue
		}
		for _, ns := range heldNetns(pid) {
			if want[ns] {
				found[ns+" by pid "+filepath.Base(p)] = true
			}
		}
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for ns := range want {
		if strings.Contains(string(mi), ns) {
			found[ns+" by a mount"] = true
		}
	}
	var out []string
	for k := range found {
		out = append(out, k)
	}
	return out
}

// held counts the mounts under dir and the cgroups of container id.
func held(t *testing.T, dir, id string) (mounts, cgroups int) {
	t.Helper()
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	mounts = strings.Count(string(mi), dir)
	cgs, _ := filepath.Glob("/sys/fs/cgroup/*/sockerless/" + id)
	v2, _ := filepath.Glob("/sys/fs/cgroup/sockerless/" + id)
	return mounts, len(cgs) + len(v2)
}
