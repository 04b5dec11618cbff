package localmode

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startDockerd starts Debian's dockerd on its own socket, data root and
// exec root, as e2e/harness does, so it never touches a system daemon.
// It returns the engine host, or why it cannot (the test then skips).
func startDockerd(t *testing.T) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("dockerd")
	if err != nil {
		return "", errors.New("dockerd is not installed")
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("dockerd needs root; this test runs as uid %d", os.Geteuid())
	}
	var whys []string
	// Host networking is all the engine runtime uses, so a machine that
	// cannot make the bridge still serves with --bridge=none.
	for _, extra := range [][]string{nil, {"--bridge=none"}} {
		host, err := runDockerd(t, bin, extra)
		if err == nil {
			return host, nil
		}
		whys = append(whys, err.Error())
	}
	return "", errors.New("dockerd did not start:\n" + strings.Join(whys, "\n"))
}

// engineOrSkip starts dockerd for a test of the engine runtime and
// returns its host and a busybox root filesystem to import, or skips the
// test saying why it cannot.
func engineOrSkip(t *testing.T) (string, []byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts dockerd")
	}
	host, err := startDockerd(t)
	if err != nil {
		t.Skip("the engine runtime needs dockerd: " + err.Error())
	}
	return host, busyboxRootfs(t)
}

func runDockerd(t *testing.T, bin string, extra []string) (string, error) {
	dir, err := os.MkdirTemp("", "sl-dockerd-")
	if err != nil {
		return "", err
	}
	sock := filepath.Join(dir, "docker.sock")
	args := append([]string{
		"--host", "unix://" + sock,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"--iptables=false", "--ip-masq=false", "--ip6tables=false", "--userland-proxy=false",
	}, extra...)
	var log bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin:/usr/bin:/sbin:/bin")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		// dockerd leaves its default network namespace mounted here.
		_ = syscall.Unmount(filepath.Join(dir, "exec", "netns", "default"), syscall.MNT_DETACH)
		_ = os.RemoveAll(dir)
	}
	if err := waitPing(sock, 20*time.Second); err != nil {
		stop()
		return "", fmt.Errorf("%v (args %v)\n%s", err, extra, tail(log.String(), 10))
	}
	t.Cleanup(stop)
	return "unix://" + sock, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// busyboxRootfs is a rootfs tar of the host's static busybox with the
// applets the test uses linked to it.
func busyboxRootfs(t *testing.T) []byte {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox is not installed")
	}
	if out, err := exec.Command("file", "-L", bb).Output(); err == nil && !bytes.Contains(out, []byte("statically linked")) {
		t.Skipf("%s is not static: %s", bb, out)
	}
	bin, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body []byte) {
		h.ModTime = time.Unix(0, 0)
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin/", "etc/", "tmp/", "root/"} {
		add(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	}
	add(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bin))}, bin)
	for _, app := range []string{"sh", "echo", "cat", "sleep", "ls", "true"} {
		add(&tar.Header{Name: "bin/" + app, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
	}
	passwd := []byte("root:x:0:0:root:/root:/bin/sh\n")
	add(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(passwd))}, passwd)
	group := []byte("root:x:0:\n")
	add(&tar.Header{Name: "etc/group", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(group))}, group)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
