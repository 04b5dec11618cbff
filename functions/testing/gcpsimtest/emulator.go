package gcpsimtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// emulatorHost serialises the clients' construction: the SDK reads
// FIRESTORE_EMULATOR_HOST from the process environment.
var emulatorHost sync.Mutex

// setenv sets name to value and returns what puts it back.
func setenv(name, value string) func() {
	old, had := os.LookupEnv(name)
	os.Setenv(name, value)
	return func() {
		if had {
			os.Setenv(name, old)
		} else {
			os.Unsetenv(name)
		}
	}
}

// The real Firestore emulator (gcloud emulators firestore start, a Java
// program) takes seconds to start: one serves every test of a test
// binary, started on first use; the binary's TestMain calls StopEmulator.
var emu struct {
	once sync.Once
	cmd  *exec.Cmd
	log  syncBuilder
	addr string
	err  error // why there is none
}

// Emulator returns the address of the running Firestore emulator, or
// skips the test saying why there is none (GCPSIM_NO_EMULATOR set, as
// for the simulator's own tests, leaves it out).
func Emulator(t testing.TB) string {
	t.Helper()
	emu.once.Do(startEmulator)
	if emu.err != nil {
		t.Skipf("no Firestore emulator: %v", emu.err)
	}
	return emu.addr
}

func startEmulator() {
	if os.Getenv("GCPSIM_NO_EMULATOR") != "" {
		emu.err = fmt.Errorf("GCPSIM_NO_EMULATOR is set")
		return
	}
	gcloud, err := exec.LookPath("gcloud")
	if err != nil {
		emu.err = fmt.Errorf("gcloud is not installed (scripts/install-deps.sh installs google-cloud-cli-firestore-emulator on Debian)")
		return
	}
	if _, err := exec.LookPath("java"); err != nil {
		emu.err = fmt.Errorf("the emulator needs Java, and there is no java on PATH")
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		emu.err = err
		return
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(gcloud, "emulators", "firestore", "start", "--host-port="+addr, "--quiet")
	cmd.Stdout, cmd.Stderr = &emu.log, &emu.log
	// Its own process group: gcloud starts java, and stopping the
	// emulator stops both.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		emu.err = fmt.Errorf("gcloud emulators firestore start: %w", err)
		return
	}
	emu.cmd = cmd
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			emu.cmd = nil
			emu.err = fmt.Errorf("it exited before answering; its output:\n%s", emu.log.String())
			return
		default:
		}
		if answers(addr) {
			emu.addr = addr
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	StopEmulator()
	emu.err = fmt.Errorf("it did not answer within 2 minutes; its output:\n%s", emu.log.String())
}

// StopEmulator stops the emulator, if one was started (TestMain calls it).
func StopEmulator() {
	if emu.cmd == nil {
		return
	}
	pgid := emu.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-pgid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	emu.cmd = nil
}

// syncBuilder is a strings.Builder two goroutines (stdout's, stderr's)
// may write.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
