package wasm_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox/wasm"
)

// netEngine builds guest/testdata/nettest for wasip1 and loads it. The
// compiled code is cached with the utilities', so only the first run
// pays for compiling it.
func netEngine(t *testing.T) *wasm.Engine {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no Go toolchain to build the test module")
	}
	out := filepath.Join(t.TempDir(), "nettest.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./guest/testdata/nettest")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building nettest: %v\n%s", err, b)
	}
	cache, err := wasm.CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	e, err := wasm.NewEngine(out, cache)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	// Compile it now: the cases time what the module does, not wazero's
	// compiler, which takes tens of seconds on a loaded machine.
	if err := e.Prime(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// lines is a module's stdout, readable line by line while it runs.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
	ch  chan string
	w   *io.PipeWriter
}

func newLines() *lines {
	r, w := io.Pipe()
	l := &lines{ch: make(chan string, 100), w: w}
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			l.ch <- s.Text()
		}
		close(l.ch)
	}()
	return l
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	return l.w.Write(p)
}

// next waits for the next line.
func (l *lines) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no line from the module")
	}
	return ""
}

type netRun struct {
	out    *lines
	errb   bytes.Buffer
	code   int
	err    error
	done   chan struct{}
	cancel context.CancelFunc
}

// start runs nettest args in the background.
func start(t *testing.T, e *wasm.Engine, stdin string, args ...string) *netRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &netRun{out: newLines(), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(r.done)
		defer r.out.w.Close()
		r.code, r.err = e.Run(ctx, wasm.Proc{
			Args: append([]string{"nettest"}, args...), FS: rootFS(t),
			Stdin: strings.NewReader(stdin), Stdout: r.out, Stderr: &r.errb,
		})
	}()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// wait returns the module's whole stdout once it has ended.
func (r *netRun) wait(t *testing.T) string {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		t.Fatal("module did not end")
	}
	if r.err != nil {
		t.Fatalf("Run: %v", r.err)
	}
	r.out.mu.Lock()
	defer r.out.mu.Unlock()
	return r.out.buf.String()
}

// serve accepts connections on loopback and hands each to fn.
func serve(t *testing.T, fn func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); fn(c) }()
		}
	}()
	return ln.Addr().String()
}

// echoAfterEOF answers "echo:" and everything sent, once the sender has
// half-closed.
func echoAfterEOF(c net.Conn) {
	b, _ := io.ReadAll(c)
	io.WriteString(c, "echo:"+string(b))
}

// freePort is a loopback address nothing listens on.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	return ln.Addr().String()
}

func TestGuestNet(t *testing.T) {
	e := netEngine(t)
	echo := serve(t, echoAfterEOF)
	_, echoPort, _ := net.SplitHostPort(echo)
	hold := serve(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	t.Cleanup(web.Close)

	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string // a line of stdout
		code  int
	}{
		{"round trip with half-close", "", []string{"echo", echo, "hi"}, `answer "echo:hi"`, 0},
		{"stdin to the connection then the answer", "hi\n", []string{"nc", echo}, "echo:hi", 0},
		{"localhost resolves on the host", "", []string{"dial", "localhost:" + echoPort}, "connected 127.0.0.1:", 0},
		{"refused port", "", []string{"dial", freePort(t)}, "notloopback=false refused=true", 1},
		{"private address refused", "", []string{"dial", "10.255.255.1:80"}, "notloopback=true refused=false dns=false: dial tcp 10.255.255.1:80: only loopback addresses (127.0.0.0/8, ::1) are reachable from the sandbox", 1},
		{"documentation address refused", "", []string{"dial", "192.0.2.1:80"}, "notloopback=true", 1},
		{"IPv6 address refused", "", []string{"dial", "[2001:db8::1]:80"}, "notloopback=true", 1},
		{"unknown name", "", []string{"dial", "nosuch.invalid:80"}, "notloopback=false refused=false dns=true", 1},
		{"http over Dial", "", []string{"http", web.URL + "/x"}, "200 OK hello /x", 0},
		{"close and deadlines unblock", "", []string{"unblock", hold}, "deadline timeout=true\nclosed=true\nclosed=true", 0},
		{"handle limit", "", []string{"limit", hold}, "opened 64 emfile=true: dial tcp " + hold + ": too many open connections and listeners (the sandbox allows 64 per process)", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			begin := time.Now()
			r := start(t, e, c.stdin, c.args...)
			out := r.wait(t)
			if r.code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("code %d, stdout %q, stderr %q; want code %d and %q", r.code, out, r.errb.String(), c.code, c.want)
			}
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestGuestListen: the module listens on loopback and a host client
// talks to it.
func TestGuestListen(t *testing.T) {
	e := netEngine(t)
	r := start(t, e, "", "serve", "127.0.0.1:0")
	addr, ok := strings.CutPrefix(r.out.next(t), "listening ")
	if !ok || !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("listening on %q", addr)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "ping")
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "echo:ping" {
		t.Errorf("answer %q, %v", b, err)
	}
	if out := r.wait(t); r.code != 0 || !strings.Contains(out, "served "+c.LocalAddr().String()) {
		t.Errorf("code %d stdout %q stderr %q", r.code, out, r.errb.String())
	}

	for _, addr := range []string{"10.255.255.1:0", "192.0.2.1:0"} {
		r := start(t, e, "", "accept", addr)
		if r.wait(t); r.code != 1 || !strings.Contains(r.errb.String(), "only loopback addresses") {
			t.Errorf("listen %s: code %d stderr %q", addr, r.code, r.errb.String())
		}
	}
}

// TestGuestNetCancel: cancelling a process blocked in accept or read
// ends it at once, closes its sockets and leaves no goroutine behind.
func TestGuestNetCancel(t *testing.T) {
	e := netEngine(t)
	peerEOF := make(chan struct{}, 1)
	hold := serve(t, func(c net.Conn) {
		io.Copy(io.Discard, c)
		peerEOF <- struct{}{}
	})
	for _, c := range []struct {
		name string
		args []string
	}{
		{"accept", []string{"accept", "127.0.0.1:0"}},
		{"read", []string{"read", hold}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			r := start(t, e, "", c.args...)
			line := r.out.next(t)
			time.Sleep(50 * time.Millisecond) // into the blocking call
			begin := time.Now()
			r.cancel()
			r.wait(t)
			if d := time.Since(begin); d > 2*time.Second || r.code != wasm.ExitKilled {
				t.Errorf("ended after %v with %d", d, r.code)
			}
			if addr, ok := strings.CutPrefix(line, "listening "); ok {
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					t.Errorf("listener not closed: %v", err)
				} else {
					ln.Close()
				}
			} else {
				select {
				case <-peerEOF:
				case <-time.After(2 * time.Second):
					t.Error("connection not closed")
				}
			}
			deadline := time.Now().Add(2 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines before, %d after", before, n)
			}
		})
	}
}
