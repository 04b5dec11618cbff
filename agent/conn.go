package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/sockerless/sockerless/agent/proto"
)

// Redial backoff: the first retries are fast so an agent that started
// just before the edge was ready connects almost at once.
const (
	firstBackoff = 5 * time.Millisecond
	maxBackoff   = time.Second
)

// loop dials until the edge acknowledges the main process's exit.
func (a *agent) loop() (int, error) {
	backoff := firstBackoff
	for {
		select {
		case <-a.released: // the linger ended while disconnected
			return a.exit()
		default:
		}
		connected := a.connect()
		select {
		case <-a.released:
			return a.exit()
		default:
		}
		if a.ctx.Err() != nil {
			if a.lingering() {
				return a.exit() // stopped while serving files: main's exit stands
			}
			return -1, fmt.Errorf("agent: %w", a.ctx.Err())
		}
		if connected {
			backoff = firstBackoff
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-a.ctx.Done():
			t.Stop()
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// connect dials the edge and serves the connection until it ends. It
// reports whether the hello got through.
func (a *agent) connect() bool {
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer "+a.cfg.Token)
	hdr.Set("X-Sockerless-Container", a.cfg.ContainerID)
	ws, _, err := websocket.Dial(a.ctx, a.cfg.EdgeURL, &websocket.DialOptions{HTTPClient: a.cfg.HTTPClient, HTTPHeader: hdr})
	if err != nil {
		return false // refused, unauthorized or unreachable: retry
	}
	return a.session(ws)
}

// session serves one connection with the edge, dialled (reverse mode) or
// accepted (forward mode), until it ends. It reports whether the hello
// got through. A newer session replaces an older one: the edge keeps one
// connection per container, so the older is stale.
func (a *agent) session(ws *websocket.Conn) bool {
	m := proto.NewMux(ws)
	defer m.Close()
	main := m.Open(proto.ChannelMain, a.mainUrgent)

	// Hold mu across the hello so an exit racing with it is reported
	// after it: either in it, or as an exit frame on main once cur is set.
	a.mu.Lock()
	hello := proto.Hello{ContainerID: a.cfg.ContainerID, AgentVersion: Version, Run: a.run, Main: a.state, ExitCode: a.exitCode, AcksStart: true}
	b, _ := json.Marshal(hello) // plain struct: cannot fail
	if err := m.Send(proto.Frame{Type: proto.TypeHello, Channel: proto.ChannelControl, Payload: b}); err != nil {
		a.mu.Unlock()
		return false
	}
	select {
	case <-a.released: // the linger ended during the hello
		a.mu.Unlock()
		return false
	default:
	}
	old := a.curMux
	a.cur, a.curMux = main, m
	a.mu.Unlock()
	if old != nil {
		old.Close()
	}

	go a.consumeMain(m, main)
	stop := context.AfterFunc(a.ctx, m.Close)
	defer stop()
	_ = m.Serve(func(f proto.Frame) { a.unrouted(m, f) })

	a.mu.Lock()
	if a.cur == main {
		a.cur, a.curMux = nil, nil
	}
	a.mu.Unlock()
	return true
}

// consumeMain handles channel 1 in order: start, stdin, and the ack of
// the exit.
func (a *agent) consumeMain(m *proto.Mux, ch *proto.Channel) {
	for {
		f, err := ch.Recv(a.ctx)
		if err != nil {
			return
		}
		switch f.Type {
		case proto.TypeStdin:
			if a.stdinW != nil {
				// Blocks until main reads; flow control keeps the edge
				// from queueing more than a window meanwhile.
				_, _ = a.stdinW.Write(f.Payload)
			}
		case proto.TypeStdinClose:
			if a.stdinW != nil {
				_ = a.stdinW.Close()
			}
		case proto.TypeAck:
			a.mu.Lock()
			exited := a.state == proto.MainExited
			a.mu.Unlock()
			if exited {
				a.ackExit()
				if a.cfg.Linger <= 0 {
					m.Close()
				}
				return
			}
		}
	}
}

// mainUrgent handles start, and delivers signals and resizes to main,
// without waiting behind queued stdin.
func (a *agent) mainUrgent(f proto.Frame) {
	if f.Type == proto.TypeStart {
		a.startMain()
		return
	}
	a.mu.Lock()
	state, p := a.state, a.main
	a.mu.Unlock()
	switch {
	case state != proto.MainRunning:
		return // not started or already gone: nothing to deliver to
	case p == nil:
		go func() { // main is starting: deliver once it is there
			<-a.mainReady
			a.mu.Lock()
			p := a.main
			a.mu.Unlock()
			if p != nil {
				deliverUrgent(p, f)
			}
		}()
	default:
		go deliverUrgent(p, f)
	}
}

// unrouted serves an open frame: it registers the channel at once, on
// the reading goroutine, so the request's following frames are queued.
func (a *agent) unrouted(m *proto.Mux, f proto.Frame) {
	if f.Type != proto.TypeOpen {
		return // late frames for a channel this side already closed
	}
	req := &request{}
	ch := m.Open(f.Channel, req.urgent)
	var open proto.Open
	if err := proto.DecodeJSON(f, &open); err != nil {
		go func() {
			_ = ch.SendError(fmt.Errorf("%w: %v", proto.ErrInvalid, err))
			ch.Close()
		}()
		return
	}
	go func() {
		defer ch.Close()
		a.serve(ch, open, req)
	}()
}

func (a *agent) serve(ch *proto.Channel, open proto.Open, req *request) {
	if a.lingering() && (open.Kind == proto.OpenExec || open.Kind == proto.OpenTop) {
		_ = ch.SendError(errFilesOnly)
		return
	}
	var err error
	switch open.Kind {
	case proto.OpenExec:
		err = a.serveExec(ch, open, req)
	case proto.OpenArchiveStat:
		err = a.serveStat(ch, open.Path)
	case proto.OpenArchiveGet:
		err = a.serveArchiveGet(ch, open.Path)
	case proto.OpenArchivePut:
		err = a.serveArchivePut(ch, open)
	case proto.OpenTop:
		err = a.serveTop(ch, open.PsArgs)
	case proto.OpenRelease:
		err = a.serveRelease(ch, open)
	default:
		err = fmt.Errorf("%w: unknown request %q", proto.ErrInvalid, open.Kind)
	}
	if err != nil {
		_ = ch.SendError(err)
	}
}

// errFilesOnly answers what needs main while the agent lingers.
var errFilesOnly = fmt.Errorf("%w: the main process has exited; the agent serves only the container's files", proto.ErrNotRunning)
