package proto

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Window is the flow-control credit each side starts with, per channel
// and direction, in stdin/stdout/stderr payload bytes.
const Window = 256 << 10

// keepaliveInterval spaces the pings that notice a silently dead peer.
const keepaliveInterval = 20 * time.Second

// Mux runs one end of the protocol over a WebSocket: it routes incoming
// frames to channels and serializes outgoing ones. Its reading goroutine
// never blocks on a consumer; flow control bounds what it queues.
type Mux struct {
	ws     *websocket.Conn
	ctx    context.Context // for writes; ends with the mux
	cancel context.CancelFunc

	mu    sync.Mutex
	chans map[uint32]*Channel

	once sync.Once
	done chan struct{}
	err  error
}

// NewMux wraps an accepted or dialed connection.
func NewMux(ws *websocket.Conn) *Mux {
	ws.SetReadLimit(MaxFrame)
	ctx, cancel := context.WithCancel(context.Background())
	return &Mux{ws: ws, ctx: ctx, cancel: cancel, chans: map[uint32]*Channel{}, done: make(chan struct{})}
}

// ReadFrame reads one frame directly; use it only before Serve (for the
// hello).
func (m *Mux) ReadFrame(ctx context.Context) (Frame, error) {
	typ, b, err := m.ws.Read(ctx)
	if err != nil {
		return Frame{}, fmt.Errorf("%w: %v", ErrConnLost, err)
	}
	if typ != websocket.MessageBinary {
		return Frame{}, fmt.Errorf("%w: text message", ErrFrame)
	}
	return Decode(b)
}

// Serve reads frames until the connection ends and returns why. Frames
// on channels nobody opened go to unrouted, called on the reading
// goroutine: it must not block, and it may call Open to route the rest
// of that channel.
func (m *Mux) Serve(unrouted func(Frame)) error {
	go m.keepalive()
	for {
		f, err := m.ReadFrame(m.ctx)
		if err != nil {
			m.fail(err)
			return m.err
		}
		if err := m.route(f, unrouted); err != nil {
			m.fail(err)
			return m.err
		}
	}
}

func (m *Mux) keepalive() {
	t := time.NewTicker(keepaliveInterval)
	defer t.Stop()
	for {
		select {
		case <-m.done:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(m.ctx, keepaliveInterval)
			err := m.ws.Ping(ctx)
			cancel()
			if err != nil {
				m.fail(fmt.Errorf("%w: ping: %v", ErrConnLost, err))
				return
			}
		}
	}
}

func (m *Mux) route(f Frame, unrouted func(Frame)) error {
	m.mu.Lock()
	ch := m.chans[f.Channel]
	m.mu.Unlock()
	if ch == nil {
		switch f.Type {
		case TypeWindow, TypeClose:
			// Late bookkeeping for a channel already closed here.
		default:
			if unrouted != nil {
				unrouted(f)
			}
		}
		return nil
	}
	switch f.Type {
	case TypeWindow:
		n, err := DecodeWindow(f.Payload)
		if err != nil {
			return err
		}
		ch.grant(int(n))
		return nil
	case TypeStart, TypeSignal, TypeResize:
		if ch.urgent != nil {
			ch.urgent(f)
			return nil
		}
	}
	return ch.push(f)
}

// Done is closed when the connection has ended.
func (m *Mux) Done() <-chan struct{} { return m.done }

// Err says why the connection ended (wrapping ErrConnLost), or nil.
func (m *Mux) Err() error {
	select {
	case <-m.done:
		return m.err
	default:
		return nil
	}
}

// Close ends the connection with a normal closure.
func (m *Mux) Close() {
	m.fail(fmt.Errorf("%w: closed", ErrConnLost))
}

func (m *Mux) fail(err error) {
	m.once.Do(func() {
		m.err = err
		close(m.done)
		m.cancel()
		// Close waits (up to its own timeout) for the peer's close frame;
		// nobody should wait for that.
		go m.ws.Close(websocket.StatusNormalClosure, "")
	})
}

// Send writes one frame, whatever its channel.
func (m *Mux) Send(f Frame) error {
	b, err := f.Encode()
	if err != nil {
		return err
	}
	if err := m.ws.Write(m.ctx, websocket.MessageBinary, b); err != nil {
		m.fail(fmt.Errorf("%w: %v", ErrConnLost, err))
		return m.err
	}
	return nil
}

// Open registers channel id so its frames are queued for Recv. urgent,
// if set, receives start, signal and resize frames at once on the
// reading goroutine (it must not block), so they never wait behind
// stdin queued for a process that is not reading it.
func (m *Mux) Open(id uint32, urgent func(Frame)) *Channel {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ch, ok := m.chans[id]; ok {
		return ch
	}
	ch := &Channel{m: m, id: id, urgent: urgent, credit: Window,
		recvWake: make(chan struct{}), creditWake: make(chan struct{})}
	m.chans[id] = ch
	return ch
}

// Channel is one multiplexed stream.
type Channel struct {
	m      *Mux
	id     uint32
	urgent func(Frame)

	mu         sync.Mutex
	queue      []Frame
	queued     int // data bytes waiting in queue
	ungranted  int // data bytes consumed, credit not yet handed back
	credit     int // data bytes this side may still send
	peerClosed bool
	closed     bool
	// Closed and replaced on every change, so any number of waiters wake.
	recvWake, creditWake chan struct{}
}

// ID is the channel id.
func (c *Channel) ID() uint32 { return c.id }

func (c *Channel) push(f Frame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if f.Type.IsData() {
		c.queued += len(f.Payload)
		if c.queued > Window {
			return fmt.Errorf("%w: peer overran the flow-control window on channel %d", ErrFrame, c.id)
		}
	}
	if f.Type == TypeClose {
		c.peerClosed = true
		c.wakeCredit()
	}
	c.queue = append(c.queue, f)
	close(c.recvWake)
	c.recvWake = make(chan struct{})
	return nil
}

func (c *Channel) grant(n int) {
	c.mu.Lock()
	c.credit += n
	c.wakeCredit()
	c.mu.Unlock()
}

func (c *Channel) wakeCredit() {
	close(c.creditWake)
	c.creditWake = make(chan struct{})
}

// Recv returns the next frame in arrival order. After the queue drains
// it returns the connection's error once the connection is gone, and
// ErrClosed after Close.
func (c *Channel) Recv(ctx context.Context) (Frame, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return Frame{}, ErrClosed
		}
		if len(c.queue) > 0 {
			f := c.queue[0]
			c.queue[0] = Frame{}
			c.queue = c.queue[1:]
			grant := 0
			if f.Type.IsData() {
				c.queued -= len(f.Payload)
				c.ungranted += len(f.Payload)
				if c.ungranted >= Window/4 {
					grant, c.ungranted = c.ungranted, 0
				}
			}
			c.mu.Unlock()
			if grant > 0 {
				// A failure here means the connection is gone; the next
				// Recv reports it.
				_ = c.m.Send(Frame{Type: TypeWindow, Channel: c.id, Payload: EncodeWindow(uint32(grant))})
			}
			return f, nil
		}
		wake := c.recvWake
		c.mu.Unlock()
		select {
		case <-c.m.done:
			c.mu.Lock()
			empty := len(c.queue) == 0
			c.mu.Unlock()
			if empty {
				return Frame{}, c.m.err
			}
		case <-wake:
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// Send writes a control frame on this channel (not flow controlled).
func (c *Channel) Send(t Type, payload []byte) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return c.m.Send(Frame{Type: t, Channel: c.id, Payload: payload})
}

// SendJSON writes a control frame with a JSON payload.
func (c *Channel) SendJSON(t Type, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Send(t, b)
}

// SendError writes an error frame describing err.
func (c *Channel) SendError(err error) error {
	return c.SendJSON(TypeError, ErrorFrom(err))
}

// WriteData sends p as frames of type t (stdin, stdout or stderr),
// splitting it to fit MaxPayload and waiting for flow-control credit.
func (c *Channel) WriteData(ctx context.Context, t Type, p []byte) error {
	for len(p) > 0 {
		n, err := c.reserve(ctx, min(len(p), MaxPayload))
		if err != nil {
			return err
		}
		if err := c.m.Send(Frame{Type: t, Channel: c.id, Payload: p[:n]}); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

func (c *Channel) reserve(ctx context.Context, want int) (int, error) {
	for {
		c.mu.Lock()
		switch {
		case c.closed || c.peerClosed:
			c.mu.Unlock()
			return 0, ErrClosed
		case c.credit > 0:
			n := min(want, c.credit)
			c.credit -= n
			c.mu.Unlock()
			return n, nil
		}
		wake := c.creditWake
		c.mu.Unlock()
		select {
		case <-c.m.done:
			return 0, c.m.err
		case <-wake:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// Writer adapts WriteData to io.Writer.
func (c *Channel) Writer(ctx context.Context, t Type) io.Writer {
	return dataWriter{ctx: ctx, c: c, t: t}
}

type dataWriter struct {
	ctx context.Context
	c   *Channel
	t   Type
}

func (w dataWriter) Write(p []byte) (int, error) {
	if err := w.c.WriteData(w.ctx, w.t, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close tells the peer this side is done with the channel and stops
// routing its frames here. It is idempotent.
func (c *Channel) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.queue = nil
	close(c.recvWake)
	c.recvWake = make(chan struct{})
	c.wakeCredit()
	c.mu.Unlock()

	c.m.mu.Lock()
	if c.m.chans[c.id] == c {
		delete(c.m.chans, c.id)
	}
	c.m.mu.Unlock()
	// If the connection is gone the peer has dropped the channel too.
	_ = c.m.Send(Frame{Type: TypeClose, Channel: c.id})
}
