// Package loopback serves a simulator's handler on one port, on a
// loopback address unless the operator says otherwise, and shuts it down
// giving requests in flight time to finish.
//
// The AWS simulator serves every service on 127.0.0.1:4566 with it; a GCP
// simulator serves its services on a port of its own the same way.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Check refuses to expose an unauthenticated-by-design simulator beyond
// this machine unless allow says so.
func Check(addr string, allow bool) error {
	if allow {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address; pass AllowNonLoopback (--allow-non-loopback) to listen there", addr)
}

// Server is a handler being served on one port.
type Server struct {
	ln   net.Listener
	http *http.Server
	done chan struct{}
}

// Option changes how the port is served.
type Option func(*http.Server)

// UnencryptedHTTP2 serves HTTP/2 without TLS (prior knowledge, "h2c") as
// well as HTTP/1.1: gRPC clients pointed at an emulator (Firestore's
// FIRESTORE_EMULATOR_HOST) dial plain-text HTTP/2.
func UnencryptedHTTP2() Option {
	return func(s *http.Server) {
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetUnencryptedHTTP2(true)
		s.Protocols = &p
	}
}

// Start checks addr with Check, listens on it and serves h in the
// background.
func Start(addr string, allowNonLoopback bool, h http.Handler, opts ...Option) (*Server, error) {
	if err := Check(addr, allowNonLoopback); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, http: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, done: make(chan struct{})}
	for _, o := range opts {
		o(s.http)
	}
	go func() {
		defer close(s.done)
		s.http.Serve(ln)
	}()
	return s, nil
}

// Listener is the port being served.
func (s *Server) Listener() net.Listener { return s.ln }

// URL is http://host:port of the port being served.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving. Requests in flight (a large upload on a loaded
// machine) get grace to finish; past it, their connections are cut.
func (s *Server) Close(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.Join(fmt.Errorf("requests still running after %s were cut", grace), s.http.Close())
	}
	<-s.done
	return err
}
