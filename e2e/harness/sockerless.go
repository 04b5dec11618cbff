package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sockerlessStartTimeout bounds how long local mode may take to answer /_ping.
const sockerlessStartTimeout = 30 * time.Second

var build struct {
	once sync.Once
	bin  string
	dir  string // temp dir the binary was built into; "" when SOCKERLESS_BIN was used
	err  error
}

// BuildSockerlessBinary returns the sockerless binary: $SOCKERLESS_BIN when
// set, otherwise `go build ./local/cmd/sockerless` from the workspace root
// (found with `go env GOWORK`), built once per test process.
func BuildSockerlessBinary() (string, error) {
	build.once.Do(func() {
		if bin := os.Getenv("SOCKERLESS_BIN"); bin != "" {
			if _, err := os.Stat(bin); err != nil {
				build.err = fmt.Errorf("SOCKERLESS_BIN=%s: %v", bin, err)
				return
			}
			build.bin = bin
			return
		}
		out, err := exec.Command("go", "env", "GOWORK").Output()
		gowork := strings.TrimSpace(string(out))
		if err != nil || gowork == "" || gowork == "off" {
			build.err = fmt.Errorf("cannot find the workspace root: go env GOWORK gave %q (%v)", gowork, err)
			return
		}
		dir, err := os.MkdirTemp("", "sockerless-e2e-bin-")
		if err != nil {
			build.err = err
			return
		}
		build.dir = dir
		bin := filepath.Join(dir, "sockerless")
		cmd := exec.Command("go", "build", "-o", bin, "./local/cmd/sockerless")
		cmd.Dir = filepath.Dir(gowork)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			build.err = fmt.Errorf("go build ./local/cmd/sockerless: %v\n%s", err, lastLines(stderr.String(), 20))
			return
		}
		build.bin = bin
	})
	return build.bin, build.err
}

// RemoveBuild deletes the binary BuildSockerlessBinary built, if it built one.
func RemoveBuild() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}

// BuildSockerless returns the sockerless binary or skips t when it cannot be built.
func BuildSockerless(t testing.TB) string {
	t.Helper()
	bin, err := BuildSockerlessBinary()
	if err != nil {
		t.Skipf("sockerless binary not available, skipping its half: %v", err)
	}
	return bin
}

// StartSockerless builds and starts sockerless in local mode for t, stopping
// it at cleanup and writing its output to the test log when t failed.
func StartSockerless(t testing.TB) *Engine {
	t.Helper()
	bin := BuildSockerless(t)
	e, err := LaunchSockerless(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sockerless output:\n%s", e.LogTail())
		}
		if err := e.Stop(); err != nil {
			t.Errorf("stopping sockerless: %v", err)
		}
	})
	return e
}

// LaunchSockerless starts bin in local mode on the sandbox runtime (named,
// not auto's choice) with a fresh data dir and socket and waits until the
// socket answers /_ping. Stop the engine with Stop.
func LaunchSockerless(bin string) (*Engine, error) {
	dir, err := os.MkdirTemp("", "sockerless-e2e-")
	if err != nil {
		return nil, err
	}
	socket := filepath.Join(dir, "docker.sock")
	cmd := exec.Command(bin, "--socket", socket, "--data", filepath.Join(dir, "data"), "--runtime", "sandbox")
	cmd.Env = cleanEnv()
	return Launch("sockerless", cmd, socket, dir)
}

// Attach is an engine already serving at host (unix://path), started by
// the test itself; Stop only removes the CLI's config.
func Attach(name, host string) (*Engine, error) {
	cfg, err := newConfigDir()
	if err != nil {
		return nil, err
	}
	return &Engine{Name: name, Host: host, Socket: strings.TrimPrefix(host, "unix://"), configDir: cfg}, nil
}

// Launch starts cmd, a daemon serving the Docker API on socket, and
// waits until the socket answers /_ping. dir, if not "", is removed when
// the engine stops.
func Launch(name string, cmd *exec.Cmd, socket, dir string) (*Engine, error) {
	log := newTailBuffer(256 << 10)
	d, err := startDaemon(cmd, log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %v", cmd.Path, err)
	}
	cleanup := func() error {
		err := d.stop(10 * time.Second)
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
		return err
	}
	if err := waitPing(socket, d.exited, sockerlessStartTimeout); err != nil {
		cleanup()
		return nil, fmt.Errorf("%s did not start: %v\n--- %s output ---\n%s", name, err, name, lastLines(log.String(), 30))
	}
	cfg, err := newConfigDir()
	if err != nil {
		cleanup()
		return nil, err
	}
	kill := func() {
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	return &Engine{Name: name, Host: "unix://" + socket, Socket: socket, configDir: cfg, log: log, stop: cleanup, kill: kill}, nil
}
