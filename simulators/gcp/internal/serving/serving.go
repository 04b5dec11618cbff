// Package serving gives a Cloud Run service or a Cloud Run function its
// URL: a loopback listener whose requests are proxied to an instance of
// the workload, started with $PORT on the first request (or when asked,
// as a deployment checks its revision starts), and started again when it
// has ended. One instance serves every request; the simulator does not
// scale out.
package serving

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Instance is a running instance of the workload.
type Instance interface {
	// Kill ends it.
	Kill()
	// Wait waits for it to end.
	Wait() error
}

// Start starts an instance that serves HTTP on 127.0.0.1:port.
type Start func(port int) (Instance, error)

// StartTimeout is how long an instance has to listen on its port, as
// Cloud Run's default startup probe allows (240 s) shortened for a
// machine where an instance is a local process.
const StartTimeout = 60 * time.Second

// Endpoint is a workload's URL and its instance.
type Endpoint struct {
	ln    net.Listener
	srv   *http.Server
	start Start

	mu     sync.Mutex
	inst   *instance // nil: none running
	closed bool
}

type instance struct {
	port  int
	ready chan struct{} // closed once it listens, or failed
	err   error         // why it could not start (set before ready closes)
	ended chan struct{} // closed when it has ended

	mu     sync.Mutex
	proc   Instance // nil until started
	killed bool
}

// Listen opens the workload's listener on a free loopback port; start
// runs each instance.
func Listen(start Start) (*Endpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &Endpoint{ln: ln, start: start}
	e.srv = &http.Server{Handler: http.HandlerFunc(e.serve), ReadHeaderTimeout: 30 * time.Second}
	go e.srv.Serve(ln)
	return e, nil
}

// URL is http://127.0.0.1:PORT, where the workload answers.
func (e *Endpoint) URL() string { return "http://" + e.ln.Addr().String() }

// Ready starts an instance unless one runs, and waits until it listens.
func (e *Endpoint) Ready(ctx context.Context) error {
	_, err := e.instance(ctx)
	return err
}

// Close stops the listener and the instance, and waits for it to end.
func (e *Endpoint) Close() {
	e.mu.Lock()
	e.closed = true
	in := e.inst
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.srv.Shutdown(ctx)
	if in != nil {
		in.kill()
		<-in.ended
	}
}

// Replace retires the running instance: the next request, or Ready,
// starts another (a new revision's).
func (e *Endpoint) Replace() {
	e.mu.Lock()
	in := e.inst
	e.inst = nil
	e.mu.Unlock()
	if in != nil {
		in.kill()
	}
}

// kill ends the instance as soon as it has started, if it has not ended.
func (in *instance) kill() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.killed = true
	if in.proc != nil {
		in.proc.Kill()
	}
}

var errClosed = errors.New("the workload was deleted")

// instance is the running instance, started if there is none, once it
// listens.
func (e *Endpoint) instance(ctx context.Context) (*instance, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errClosed
	}
	in := e.inst
	if in == nil {
		in = &instance{ready: make(chan struct{}), ended: make(chan struct{})}
		e.inst = in
		go e.run(in)
	}
	e.mu.Unlock()
	select {
	case <-in.ready:
		return in, in.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run starts in, waits for it to listen, then for it to end, and forgets
// it so that the next request starts another.
func (e *Endpoint) run(in *instance) {
	forget := func() {
		e.mu.Lock()
		if e.inst == in {
			e.inst = nil
		}
		e.mu.Unlock()
	}
	port, err := freePort()
	var proc Instance
	if err == nil {
		in.port = port
		proc, err = e.start(port)
	}
	if err != nil {
		in.err = fmt.Errorf("the instance could not be started: %w", err)
		close(in.ready)
		close(in.ended)
		forget()
		return
	}
	in.mu.Lock()
	in.proc = proc
	if in.killed {
		proc.Kill()
	}
	in.mu.Unlock()
	exited := make(chan error, 1)
	go func() { exited <- proc.Wait() }()
	in.err = waitListening(port, exited)
	if in.err != nil {
		forget() // before anyone sees it failed: the next request starts another
		proc.Kill()
	}
	close(in.ready)
	<-exited
	close(in.ended)
	forget()
}

// waitListening waits until something accepts connections on port, the
// instance exits, or StartTimeout passes.
func waitListening(port int, exited chan error) error {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(StartTimeout)
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-exited:
			exited <- err // for run, which waits on it too
			return fmt.Errorf("the container exited before listening on the port defined by the PORT=%d environment variable (%v)", port, err)
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the container failed to listen on the port defined by the PORT=%d environment variable within %s", port, StartTimeout)
		}
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// serve proxies a request to the instance; a connection refused while it
// runs (a server between two accepts) is retried briefly.
func (e *Endpoint) serve(w http.ResponseWriter, r *http.Request) {
	in, err := e.instance(r.Context())
	if err != nil {
		http.Error(w, "Service Unavailable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	target := &url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(in.port)}
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "Bad Gateway: the instance did not answer: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.ServeHTTP(w, r)
}

// transport dials an instance, retrying a refused connection for a
// while: a small server may accept one connection at a time.
var transport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		deadline := time.Now().Add(5 * time.Second)
		for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
				return c, err
			}
			time.Sleep(delay)
		}
	}
	return t
}()
