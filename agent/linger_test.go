package agent_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/osproc"
	"github.com/sockerless/sockerless/agent/proto"
)

// TestLingerServesFilesAfterExit: with Linger, the exit is reported at
// once and the agent stays to serve the stopped container's files (and
// nothing that needs main), until the linger ends or the workload is
// stopped; either way Run returns main's exit code.
func TestLingerServesFilesAfterExit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		linger time.Duration
		stop   bool // end ctx while it lingers, as the platform stopping the workload
	}{
		{name: "the linger ends by itself", linger: 300 * time.Millisecond},
		{name: "stopping the workload ends the linger with main's exit code", linger: time.Hour, stop: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			h := hub.New(func(context.Context, string, string) error { return nil })
			exits := make(chan int, 4)
			h.OnExit(func(_ string, code int, _ time.Time) { exits <- code })
			srv := httptest.NewServer(h)
			defer srv.Close()

			out := filepath.Join(t.TempDir(), "artifact")
			done := make(chan int, 1)
			go func() {
				code, err := agent.Run(runCtx, agent.Config{EdgeURL: "ws" + strings.TrimPrefix(srv.URL, "http"),
					ContainerID: "c1", Token: "t", Runtime: osproc.Runtime{}, Linger: tc.linger,
					Main: proto.ProcessSpec{Args: []string{"sh", "-c", "echo built > " + out + "; exit 3"}}})
				if err != nil {
					t.Error(err)
				}
				done <- code
			}()
			if code := <-exits; code != 3 {
				t.Fatalf("OnExit %d, want 3", code)
			}
			exited := time.Now()
			s, err := h.Session(ctx, "c1")
			if err != nil {
				t.Fatal(err)
			}
			_, rc, err := s.ArchiveGet(ctx, out)
			if err != nil {
				t.Fatalf("archive of the stopped container: %v", err)
			}
			tr := tar.NewReader(rc)
			if _, err := tr.Next(); err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(tr); string(b) != "built\n" {
				t.Errorf("archived file holds %q, want %q", b, "built\n")
			}
			rc.Close()
			if _, err := s.Exec(ctx, "e1", proto.ProcessSpec{Args: []string{"true"}}, nil, io.Discard, io.Discard, nil); !errors.Is(err, proto.ErrNotRunning) {
				t.Errorf("exec while lingering: %v, want ErrNotRunning", err)
			}
			if tc.stop {
				stop()
			}
			select {
			case code := <-done:
				if code != 3 {
					t.Errorf("Run = %d, want main's 3", code)
				}
			case <-ctx.Done():
				t.Fatal("the agent did not end")
			}
			if !tc.stop && time.Since(exited) < tc.linger/2 {
				t.Errorf("the agent ended %s after the exit, before its %s linger", time.Since(exited), tc.linger)
			}
		})
	}
}
