package agent

import (
	"fmt"
	"io"
	"sync"
	"syscall"

	"github.com/sockerless/sockerless/agent/proto"
)

// request holds the process of an exec channel for signals and resizes
// that arrive on the reading goroutine.
type request struct {
	mu sync.Mutex
	p  Process
}

func (r *request) set(p Process) {
	r.mu.Lock()
	r.p = p
	r.mu.Unlock()
}

func (r *request) urgent(f proto.Frame) {
	r.mu.Lock()
	p := r.p
	r.mu.Unlock()
	if p != nil {
		go deliverUrgent(p, f)
	}
}

// deliverUrgent applies a signal or resize frame. The protocol has no
// answer for them, so a failure (the process just exited, it has no
// TTY) has nowhere to go.
func deliverUrgent(p Process, f proto.Frame) {
	switch f.Type {
	case proto.TypeSignal:
		var s proto.Signal
		if proto.DecodeJSON(f, &s) == nil {
			_ = p.Signal(syscall.Signal(s.Sig))
		}
	case proto.TypeResize:
		var r proto.Resize
		if proto.DecodeJSON(f, &r) == nil {
			_ = p.Resize(r.Height, r.Width)
		}
	}
}

// serveExec starts an exec, streams its stdio and reports its exit.
// If the edge closes the channel first, the process keeps running and
// its output is dropped, as with Docker when the exec client leaves.
func (a *agent) serveExec(ch *proto.Channel, open proto.Open, req *request) error {
	if open.Spec == nil || len(open.Spec.Args) == 0 {
		return fmt.Errorf("%w: exec without a command", proto.ErrInvalid)
	}
	spec := *open.Spec
	// Output waits for the ack: a process may write before Start returns.
	acked := make(chan struct{})
	stdio := Stdio{
		Stdout: dropWriter{ch: ch, a: a, t: proto.TypeStdout, acked: acked},
		Stderr: dropWriter{ch: ch, a: a, t: proto.TypeStderr, acked: acked},
	}
	var stdinR *io.PipeReader
	var stdinW *io.PipeWriter
	if spec.Stdin {
		stdinR, stdinW = io.Pipe()
		stdio.Stdin = stdinR
	}
	p, err := a.cfg.Runtime.Start(a.ctx, spec, stdio)
	if err != nil {
		return fmt.Errorf("starting exec %s: %w", open.ExecID, err)
	}
	req.set(p)
	entry := a.procs.add(p, spec)
	// If the edge is gone the process runs on, unobserved.
	_ = ch.Send(proto.TypeAck, nil)
	close(acked)
	go feedStdin(a, ch, stdinW)

	code := p.Wait()
	a.procs.remove(entry)
	req.set(nil)
	if stdinR != nil {
		_ = stdinR.CloseWithError(io.ErrClosedPipe) // ends feedStdin's Write
	}
	return ch.SendJSON(proto.TypeExit, proto.Exit{Code: code})
}

// feedStdin copies stdin frames into the exec's stdin pipe (w, or
// nowhere when the exec has no stdin) until stdin-close or the channel
// ends.
func feedStdin(a *agent, ch *proto.Channel, w *io.PipeWriter) {
	for {
		f, err := ch.Recv(a.ctx)
		if err != nil {
			return
		}
		switch f.Type {
		case proto.TypeStdin:
			if w != nil {
				if _, err := w.Write(f.Payload); err != nil {
					w = nil // the process is done with stdin; drain the rest
				}
			}
		case proto.TypeStdinClose:
			if w != nil {
				_ = w.Close()
				w = nil
			}
		case proto.TypeClose:
			if w != nil {
				_ = w.Close()
			}
			return
		}
	}
}

// dropWriter sends process output on a channel, dropping it once the
// channel is gone rather than failing the process's writes.
type dropWriter struct {
	a     *agent
	ch    *proto.Channel
	t     proto.Type
	acked <-chan struct{}
}

func (w dropWriter) Write(p []byte) (int, error) {
	<-w.acked
	_ = w.ch.WriteData(w.a.ctx, w.t, p)
	return len(p), nil
}
