package server

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	pb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The real Firestore emulator (gcloud emulators firestore start, a Java
// program) is the reference the differential test and the benchmark
// compare against. One is started per test binary, on first use, and
// stopped by TestMain.
var emu struct {
	once sync.Once
	cmd  *exec.Cmd
	log  bytes.Buffer
	addr string
	err  error // why there is none
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopEmulator()
	os.Exit(code)
}

// emulator returns the address of the running emulator, or skips the
// test saying why there is none.
func emulator(t testing.TB) string {
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
	cmd.Stdout, cmd.Stderr = &syncWriter{w: &emu.log}, &syncWriter{w: &emu.log}
	// Its own process group: gcloud starts java, and stopping the emulator
	// stops both.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		emu.err = fmt.Errorf("gcloud emulators firestore start: %w", err)
		return
	}
	emu.cmd = cmd
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if ready(addr) {
			emu.addr = addr
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	stopEmulator()
	emu.err = fmt.Errorf("it did not answer within 2 minutes; its output:\n%s", emu.log.String())
}

// ready reports whether the emulator answers a Firestore call.
func ready(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	raw, ctx, err := dialRaw(addr)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = raw.GetDocument(ctx, &pb.GetDocumentRequest{Name: "projects/ready/databases/(default)/documents/c/d"})
	raw.Close()
	return status.Code(err) == codes.NotFound
}

func stopEmulator() {
	if emu.cmd == nil {
		return
	}
	pgid := emu.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { emu.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
	emu.cmd = nil
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
