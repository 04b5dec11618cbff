package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/listen"
	"github.com/sockerless/sockerless/functions/call"
)

// Shutdown must also end hijacked streams, which net/http no longer
// tracks.
func TestShutdownClosesHijackedStreams(t *testing.T) {
	f := &fakeFunction{reply: attachAnswerNoRig}
	s := New(Config{Handler: f, Hub: hub.New(AgentAuthorizer(f))})
	l, err := listen.TCP("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()

	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1.44/containers/c1/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "tcp" ||
		resp.Header.Get("Content-Type") != "application/vnd.docker.multiplexed-stream" || resp.Header.Get("Api-Version") != "1.56" {
		t.Fatalf("upgrade response: %d %v", resp.StatusCode, resp.Header)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadAll(br); err != nil {
		t.Fatalf("stream not closed by shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want nil after Shutdown", err)
	}
}

func attachAnswerNoRig(c call.Call) call.Reply {
	return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamAttach, Container: c.Var("name"), Stdout: true}}
}
