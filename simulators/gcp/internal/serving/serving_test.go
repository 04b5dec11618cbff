package serving

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// server is an instance: a real HTTP server on its port, answering with
// its number; Kill closes it and Wait returns when it is closed.
type server struct {
	srv  *http.Server
	done chan error
}

func (s *server) Kill() { s.srv.Close() }

func (s *server) Wait() error { return <-s.done }

// starter starts numbered servers, or fails to listen when quit says so.
func starter(t *testing.T, started *atomic.Int32, quit func(n int32) bool) Start {
	return func(port int) (Instance, error) {
		n := started.Add(1)
		if quit(n) {
			return &server{srv: &http.Server{}, done: closed(errors.New("exit status 3"))}, nil
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return nil, err
		}
		s := &server{done: make(chan error, 1)}
		s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "instance "+strconv.Itoa(int(n)))
		})}
		go func() { s.srv.Serve(ln); s.done <- nil }()
		t.Cleanup(s.Kill)
		return s, nil
	}
}

func closed(err error) chan error {
	c := make(chan error, 1)
	c <- err
	return c
}

func answer(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestEndpoint proves an endpoint starts one instance for its requests,
// starts another when told to replace it or when it has ended, answers
// 503 saying why when an instance exits before listening, and refuses
// requests once closed.
func TestEndpoint(t *testing.T) {
	var started atomic.Int32
	e, err := Listen(starter(t, &started, func(n int32) bool { return n == 3 }))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code, body := answer(t, e.URL()); code != 200 || body != "instance 1" {
			t.Fatalf("answer %d %q, want instance 1's", code, body)
		}
	}
	e.Replace()
	if code, body := answer(t, e.URL()); code != 200 || body != "instance 2" {
		t.Fatalf("after Replace: %d %q", code, body)
	}
	e.Replace() // instance 3 exits before it listens
	if code, body := answer(t, e.URL()); code != 503 || !strings.Contains(body, "exited before listening on the port defined by the PORT=") {
		t.Fatalf("an instance that exits at once: %d %q", code, body)
	}
	if code, body := answer(t, e.URL()); code != 200 || body != "instance 4" {
		t.Fatalf("the next request after a failed start: %d %q", code, body)
	}
	e.Close()
	if _, err := http.Get(e.URL()); err == nil {
		t.Fatal("a closed endpoint still answers")
	}
	if err := e.Ready(context.Background()); err == nil {
		t.Fatal("a closed endpoint started an instance")
	}
}
