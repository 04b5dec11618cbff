package agent

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// Exit codes for a main process that could not be started, as a shell
// reports them.
const (
	exitNotFound    = 127
	exitCannotStart = 126
)

// startMain starts Main once, in the background (it is called on the
// connection's reading goroutine); later start frames (a re-sent start
// after a reconnect) are ignored.
func (a *agent) startMain() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != proto.MainCreated || !a.mayStartLocked() {
		return
	}
	a.state = proto.MainRunning
	go a.runMain()
}

func (a *agent) runMain() {
	// Output waits until main is in the process table and reachable by
	// signals: whoever sees its first byte can top or signal it.
	registered := a.mainReady
	stdio := Stdio{Stdout: &mainWriter{a: a, stream: 1, registered: registered}, Stderr: &mainWriter{a: a, stream: 2, registered: registered}}
	if a.stdinR != nil {
		stdio.Stdin = a.stdinR
	}
	a.mu.Lock()
	refused := a.hold.refused
	a.mu.Unlock()
	var p Process
	err := fmt.Errorf("%s", refused)
	if refused == "" {
		p, err = a.cfg.Runtime.Start(a.ctx, a.cfg.Main, stdio)
	}
	if err != nil {
		close(registered)
		// The workload exists only to run main, so a failed start is
		// main's exit, with the reason on its stderr (and in the logs).
		_, _ = fmt.Fprintf(stdio.Stderr, "sockerless agent: starting %q: %v\n", a.cfg.Main.Args, err)
		code := exitCannotStart
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
			code = exitNotFound
		}
		a.finishMain(code)
		return
	}
	entry := a.procs.add(p, a.cfg.Main)
	a.mu.Lock()
	a.main = p
	cur := a.cur
	a.mu.Unlock()
	close(registered)
	if cur != nil {
		// Main runs: the edge answers the start (Hello.AcksStart). On a
		// connection made later, the hello says it runs.
		_ = cur.Send(proto.TypeAck, nil)
	}
	stop := make(chan struct{})
	if h := a.cfg.Health; h != nil {
		go a.probeHealth(*h, time.Now(), stop)
	}
	go func() {
		code := p.Wait()
		close(stop)
		a.procs.remove(entry)
		a.finishMain(code)
	}()
}

// finishMain records the exit and reports it on the current connection;
// if there is none, or it drops before the ack, the next hello does.
func (a *agent) finishMain(code int) {
	if a.stdinR != nil {
		_ = a.stdinR.CloseWithError(io.ErrClosedPipe) // frees a blocked stdin writer
	}
	if c, ok := a.cfg.Logs.(io.Closer); ok && a.cfg.Linger > 0 {
		// A log driver stores a partial last line when the output ends,
		// which a lingering workload's does now, not when it stops.
		_ = c.Close()
	}
	a.mu.Lock()
	a.state = proto.MainExited
	a.exitCode = code
	a.main = nil
	cur := a.cur
	a.mu.Unlock()
	if cur != nil {
		_ = cur.SendJSON(proto.TypeExit, proto.Exit{Code: code, Run: a.run})
	}
}

// mainWriter tees main's output: first to the log sink, synchronously,
// so the logs are complete when the exit is reported; then to the edge,
// when connected. Output sent while disconnected lives only in the logs.
type mainWriter struct {
	a          *agent
	stream     int
	registered <-chan struct{}
}

func (w *mainWriter) Write(p []byte) (int, error) {
	<-w.registered
	if w.a.cfg.Logs != nil {
		w.a.cfg.Logs.Log(w.stream, p)
	}
	w.a.mu.Lock()
	ch := w.a.cur
	w.a.mu.Unlock()
	if ch != nil {
		t := proto.TypeStdout
		if w.stream == 2 {
			t = proto.TypeStderr
		}
		// A failure means the connection dropped; the process must not
		// see it, and the logs already hold the bytes.
		_ = ch.WriteData(w.a.ctx, t, p)
	}
	return len(p), nil
}
