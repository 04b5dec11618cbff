package agent_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/osproc"
	"github.com/sockerless/sockerless/agent/proto"
)

// startForward runs a forward-mode agent with the os/exec runtime on a
// loopback port and returns the URL the edge dials.
func startForward(t *testing.T, ctx context.Context, id, token string, main proto.ProcessSpec) (string, <-chan int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		code, err := agent.Run(ctx, agent.Config{Listener: ln, ContainerID: id, Token: token,
			Main: main, Runtime: osproc.Runtime{}})
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		done <- code
	}()
	return "ws://" + ln.Addr().String() + agent.ForwardPath, done
}

// TestForwardModeEdgeDialsTheAgent: the hub dials a listening agent, and
// attach, exit recording and the agent's return work as in reverse mode.
func TestForwardModeEdgeDialsTheAgent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h := hub.New(nil) // forward mode needs no authorizer: the edge dials
	exits := make(chan int, 4)
	h.OnExit(func(_ string, code int, _ time.Time) { exits <- code })

	var stdout, stderr bytes.Buffer
	attached := make(chan error, 1)
	in := &notifyReader{r: strings.NewReader(""), reading: make(chan struct{})}
	go func() { attached <- h.Attach(ctx, "c1", in, &stdout, &stderr) }()
	<-in.reading

	url, done := startForward(t, ctx, "c1", "secret", proto.ProcessSpec{Args: []string{"sh", "-c", "echo hi; echo err >&2; exit 3"}})
	dialed := make(chan error, 1)
	go func() { dialed <- h.Dial(ctx, url, "c1", "secret") }()

	if err := <-attached; err != nil {
		t.Fatal(err)
	}
	if code := <-exits; code != 3 {
		t.Errorf("OnExit %d, want 3", code)
	}
	if code := <-done; code != 3 {
		t.Errorf("Run = %d, want 3", code)
	}
	if err := <-dialed; err != nil {
		t.Errorf("Dial = %v, want nil once the exit is acknowledged", err)
	}
	if stdout.String() != "hi\n" || stderr.String() != "err\n" {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	select {
	case code := <-exits:
		t.Errorf("exit reported twice (second %d)", code)
	default:
	}
}

// TestForwardModeRefusesTheWrongEdge: without the container's token (or
// for another container) the agent answers before any WebSocket, and
// Dial gives up at once with the agent's reason.
func TestForwardModeRefusesTheWrongEdge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url, done := startForward(t, ctx, "c1", "secret", proto.ProcessSpec{Args: []string{"sh", "-c", "exit 0"}})
	httpURL := "http" + strings.TrimPrefix(url, "ws")

	for _, tc := range []struct {
		name       string
		auth, id   string
		wantStatus int
	}{
		{"no token", "", "c1", http.StatusUnauthorized},
		{"wrong token", "Bearer secreT", "c1", http.StatusUnauthorized},
		{"token as a prefix", "Bearer secre", "c1", http.StatusUnauthorized},
		{"not a bearer token", "secret", "c1", http.StatusUnauthorized},
		{"right token, other container", "Bearer secret", "c2", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, httpURL, nil)
			req.Header.Set("Authorization", tc.auth)
			req.Header.Set(hub.HeaderContainer, tc.id)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
		})
	}

	h := hub.New(nil)
	err := h.Dial(ctx, url, "c1", "wrong")
	var refused *hub.RefusedError
	if !errors.As(err, &refused) || refused.Status != http.StatusUnauthorized {
		t.Fatalf("Dial with a wrong token = %v, want a 401 RefusedError", err)
	}
	select {
	case <-done:
		t.Fatal("the agent stopped after a refused dial")
	default:
	}
	// The right token still gets through, and main only starts then.
	if err := h.Dial(ctx, url, "c1", "secret"); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Errorf("Run = %d, want 0", code)
	}
}

func TestForwardModeNeedsAToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = agent.Run(context.Background(), agent.Config{Listener: ln, ContainerID: "c", Runtime: osproc.Runtime{}})
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("Run without a token = %v, want an error about the token", err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("Run left the listener open")
	}
}
