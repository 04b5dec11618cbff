package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// DockerdRoot holds the reference engine's sockets and data, one directory per run.
const DockerdRoot = "/tmp/sockerless-ref-dockerd"

// dockerdStartTimeout bounds how long a reference dockerd may take to answer /_ping.
const dockerdStartTimeout = 20 * time.Second

// StartDockerd starts Debian's dockerd as the reference engine on its own
// socket, data root, exec root and pidfile, so it never touches a system
// daemon. It returns an error saying why when dockerd is missing, the process
// is not root, or the daemon does not come up (with the tail of its log);
// callers skip the reference half with that message. Stop the engine with Stop.
func StartDockerd() (*Engine, error) {
	bin, err := exec.LookPath("dockerd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dockerd", "/usr/bin/dockerd"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return nil, errors.New("dockerd not installed (scripts/install-deps.sh installs Debian's docker.io)")
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("dockerd needs root and this test runs as uid " + fmt.Sprint(os.Geteuid()))
	}
	// Bridge networking first, as a real engine has it; a sandbox that cannot
	// create the bridge still gets an engine with --bridge=none.
	if br, drop, berr := ownBridge(); berr == nil {
		e, err := startDockerdWith(bin, []string{"--bridge", br})
		if err == nil {
			stop := e.stop
			e.stop = func() error { err := stop(); drop(); return err }
			return e, nil
		}
		drop()
	}
	e, err := startDockerdWith(bin, nil)
	if err == nil {
		return e, nil
	}
	e, err2 := startDockerdWith(bin, []string{"--bridge=none"})
	if err2 == nil {
		return e, nil
	}
	return nil, fmt.Errorf("reference dockerd did not start:\nwith bridge: %v\nwith --bridge=none: %v", err, err2)
}

func startDockerdWith(bin string, extra []string) (*Engine, error) {
	if err := os.MkdirAll(DockerdRoot, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(DockerdRoot, "run-")
	if err != nil {
		return nil, err
	}
	socket := filepath.Join(dir, "docker.sock")
	args := append([]string{
		"--host", "unix://" + socket,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"--iptables=false", "--ip-masq=false", "--ip6tables=false",
		// Published ports reach the host through docker-proxy (dockerd's
		// default), since there are no iptables rules here.
		"--userland-proxy=true",
	}, extra...)
	cmd := exec.Command(bin, args...)
	// dockerd finds containerd, runc and docker-init on PATH.
	cmd.Env = append(cleanEnv(), "PATH="+os.Getenv("PATH")+":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	log := newTailBuffer(64 << 10)
	d, err := startDaemon(cmd, log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cleanup := func() error {
		err := d.stop(10 * time.Second)
		// dockerd leaves its default network namespace mounted here.
		_ = syscall.Unmount(filepath.Join(dir, "exec", "netns", "default"), syscall.MNT_DETACH)
		// Data left by a killed daemon may still be mounted; what cannot be
		// removed stays under DockerdRoot for the next machine reset.
		_ = os.RemoveAll(dir)
		return err
	}
	if err := waitPing(socket, d.exited, dockerdStartTimeout); err != nil {
		cleanup()
		return nil, fmt.Errorf("%v\n--- dockerd log tail ---\n%s", err, lastLines(log.String(), 15))
	}
	cfg, err := newConfigDir()
	if err != nil {
		cleanup()
		return nil, err
	}
	return &Engine{Name: "dockerd", Host: "unix://" + socket, Socket: socket, configDir: cfg, log: log, stop: cleanup}, nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ownBridge makes a bridge for one reference dockerd. Every dockerd on a
// machine otherwise shares docker0 and gives its first container
// 172.17.0.2, so two at once (go test runs the e2e packages in
// parallel) send each other's published ports to the wrong container.
// The name is the lock: a bridge another harness holds, or a killed one
// left, is passed over.
func ownBridge() (name string, drop func(), err error) {
	for n := range 256 {
		name = fmt.Sprintf("slref%d", n)
		if exec.Command("ip", "link", "add", "name", name, "type", "bridge").Run() != nil {
			continue
		}
		drop = func() { _ = exec.Command("ip", "link", "del", name).Run() }
		for _, args := range [][]string{
			{"addr", "add", fmt.Sprintf("10.231.%d.1/24", n), "dev", name},
			{"link", "set", name, "up"},
		} {
			if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
				drop()
				return "", nil, fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		return name, drop, nil
	}
	return "", nil, errors.New("no free bridge name slref0..255")
}
