package harness

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// daemon is an engine process the harness started and must stop.
type daemon struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // Wait's result, valid once exited is closed
}

// startDaemon starts cmd in its own process group with its output in log.
func startDaemon(cmd *exec.Cmd, log *tailBuffer) (*daemon, error) {
	cmd.Stdout, cmd.Stderr = log, log
	// Own process group so stop can kill the daemon's children too; the
	// death signal ends the daemon if the test binary dies (go test -timeout).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &daemon{cmd: cmd, exited: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		close(d.exited)
	}()
	return d, nil
}

// stop sends SIGTERM, waits up to grace, then kills the whole process group
// (dockerd's containerd and shims, sockerless's workloads).
func (d *daemon) stop(grace time.Duration) error {
	select {
	case <-d.exited:
		return nil
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("pid %d did not exit after SIGKILL", d.cmd.Process.Pid)
	}
	return fmt.Errorf("pid %d ignored SIGTERM for %s and was killed", d.cmd.Process.Pid, grace)
}

// newConfigDir makes the empty DOCKER_CONFIG directory an engine's CLI uses.
func newConfigDir() (string, error) {
	return os.MkdirTemp("", "sockerless-e2e-cli-")
}
