package proto

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// muxPair connects two muxes over a real WebSocket.
func muxPair(t *testing.T) (server, client *Mux) {
	t.Helper()
	accepted := make(chan *Mux, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		m := NewMux(ws)
		accepted <- m
		<-m.Done()
	}))
	t.Cleanup(srv.Close)
	ws, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	client = NewMux(ws)
	server = <-accepted
	go server.Serve(nil)
	go client.Serve(nil)
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

func TestSlowChannelDoesNotBlockOthers(t *testing.T) {
	server, client := muxPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	slowOut, fastOut := client.Open(2, nil), client.Open(3, nil)
	server.Open(2, nil) // nobody reads it
	fastIn := server.Open(3, nil)

	// The slow channel's writer stalls once its window is spent...
	stalled := make(chan error, 1)
	go func() { stalled <- slowOut.WriteData(ctx, TypeStdout, make([]byte, 4*Window)) }()

	// ...while the other channel moves far more than a window.
	data := bytes.Repeat([]byte("x"), 3*Window)
	go func() { _ = fastOut.WriteData(ctx, TypeStdout, data) }()
	var got int
	for got < len(data) {
		f, err := fastIn.Recv(ctx)
		if err != nil {
			t.Fatalf("fast channel stuck after %d bytes: %v", got, err)
		}
		if len(f.Payload) > MaxPayload {
			t.Fatalf("frame of %d bytes exceeds MaxPayload", len(f.Payload))
		}
		got += len(f.Payload)
	}
	select {
	case err := <-stalled:
		t.Fatalf("slow writer finished (%v) although nobody read its channel", err)
	default:
	}
	// Closing the slow channel on the reading side frees its writer.
	server.Open(2, nil).Close()
	select {
	case err := <-stalled:
		if err != ErrClosed {
			t.Fatalf("stalled writer got %v, want ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("writer stayed blocked after the peer closed the channel")
	}
}

func TestRecvReportsConnectionLoss(t *testing.T) {
	server, client := muxPair(t)
	in := server.Open(5, nil)
	out := client.Open(5, nil)
	if err := out.Send(TypeAck, []byte("x")); err != nil {
		t.Fatal(err)
	}
	client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if f, err := in.Recv(ctx); err != nil || f.Type != TypeAck {
		t.Fatalf("queued frame lost: %v %v", f.Type, err)
	}
	if _, err := in.Recv(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("Recv after loss = %v, want the connection error", err)
	}
}
