// Package computetest is the conformance suite every core.Compute
// passes, as statetest is for state.Store. A driver's own test calls Run
// with a function that makes the driver, its agents dialing the URL Run
// gives: a real agent hub (agent/hub, the edge's end of the protocol)
// that admits the suite's workloads, starts them and hears their exits.
// The suite covers the runner every driver is (start, status, stop,
// remove, logs) and each optional capability the driver has.
package computetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core"
)

// Target is one driver under test.
type Target struct {
	Compute core.Compute
	// Image is a workload of the test image (a root filesystem with a
	// POSIX sh): the fields the driver finds the image by (ImageID,
	// ImageRef). The suite fills in the rest.
	Image core.Workload
	// ExitInStatus says the driver's Status reports the main process's
	// exit. Lambda's does not: it keeps no handle on an invocation, so
	// the exit is known only from the agent's report.
	ExitInStatus bool
	// OneStream says the driver's logs keep lines, not streams: stderr
	// reads as stdout (CloudWatch Logs).
	OneStream bool
	// HostNetwork says the driver runs workloads on the host's network,
	// where the containers a workload shares a network with (its Peers)
	// answer on loopback: its /etc/hosts gives them 127.0.0.1.
	HostNetwork bool
	// Settle bounds how long the driver may take to show a start, an
	// exit, a stop or output (a cloud's log delivery); 0 is 30 s.
	Settle time.Duration
}

// Run makes a target with newTarget, its agents dialing agentURL, and
// runs the suite against it.
func Run(t *testing.T, newTarget func(t *testing.T, agentURL string) Target) {
	s := newSuite(t)
	tg := newTarget(t, s.agentURL)
	if tg.Settle == 0 {
		tg.Settle = 30 * time.Second
	}
	s.Target = tg
	t.Run("RunToExit", s.runToExit)
	t.Run("Unknown", s.unknown)
	t.Run("Stop", s.stop)
	t.Run("Volumes", s.volumes)
	t.Run("Files", s.files)
	t.Run("Linger", s.linger)
	if tg.HostNetwork {
		t.Run("PeersOnLoopback", s.peersOnLoopback)
	}
}

// suite is a target and the hub its agents dial.
type suite struct {
	Target
	agentURL string
	hub      *hub.Hub

	mu     sync.Mutex
	tokens map[string]string
	exits  map[string]chan int
}

func newSuite(t *testing.T) *suite {
	s := &suite{tokens: map[string]string{}, exits: map[string]chan int{}}
	s.hub = hub.New(func(_ context.Context, id, token string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if want, ok := s.tokens[id]; !ok || token != want {
			return errors.New("no workload " + id + " with this token")
		}
		return nil
	})
	s.hub.OnExit(func(id string, code int, _ time.Time) {
		if ch := s.exitOf(id); ch != nil {
			select {
			case ch <- code:
			default:
			}
		}
	})
	srv := httptest.NewServer(s.hub)
	t.Cleanup(srv.Close)
	s.agentURL = "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/v1/connect"
	return s
}

func (s *suite) exitOf(id string) chan int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exits[id]
}

func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// workload is a new workload of the test image running sh -c script.
func (s *suite) workload(script string) core.Workload {
	w := s.Image
	w.ID = newID()
	w.Name = "computetest-" + w.ID[:12]
	w.Hostname = w.ID[:12]
	w.Token = newID()
	w.AgentURL = s.agentURL
	w.Main = proto.ProcessSpec{Args: []string{"sh", "-c", script}, Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}, Dir: "/"}
	s.mu.Lock()
	s.tokens[w.ID] = w.Token
	s.exits[w.ID] = make(chan int, 1)
	s.mu.Unlock()
	return w
}

// create prepares w where the driver prepares workloads, as core does
// at docker create, and removes it when the test ends.
func (s *suite) create(t *testing.T, w core.Workload) {
	t.Helper()
	t.Cleanup(func() {
		if err := s.Compute.Remove(context.Background(), w.ID); err != nil {
			t.Errorf("Remove at cleanup: %v", err)
		}
	})
	if p, ok := s.Compute.(core.Preparer); ok {
		if err := p.Prepare(t.Context(), w); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
	}
}

// start creates and starts w.
func (s *suite) start(t *testing.T, w core.Workload) {
	t.Helper()
	s.create(t, w)
	if err := s.Compute.Start(t.Context(), w); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

// eventually polls check until it returns "" or the target's Settle
// passes, then fails with what check last said.
func (s *suite) eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(s.Settle)
	for {
		why := check()
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s after %v: %s", what, s.Settle, why)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *suite) status(t *testing.T, id string) core.WorkloadStatus {
	t.Helper()
	st, err := s.Compute.Status(t.Context(), id)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st
}
