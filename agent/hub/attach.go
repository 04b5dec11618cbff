package hub

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/sockerless/sockerless/agent/proto"
)

// attachment is one Attach call's view of the main process.
type attachment struct {
	stdout, stderr io.Writer
	ctx            context.Context // ends when the attachment finishes
	cancel         context.CancelFunc

	mu       sync.Mutex // held across writes so none happens after finish
	finished bool
	err      error
	done     chan struct{}
}

// Attach streams the container's main process to stdout and stderr and
// feeds stdin (if not nil) to it; stdin's EOF closes main's stdin. It may
// be called before the agent connects: the attachment is bound before
// the hub starts main, so it sees output from the first byte. Attach
// returns nil when main exits, after OnExit has run; ctx's error when ctx
// ends first; or the error of a failed write to stdout or stderr.
//
// Attach does not wait for a stdin Read in progress: the goroutine
// reading stdin ends when that Read returns (close the reader to end it).
func (h *Hub) Attach(ctx context.Context, containerID string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &attachment{stdout: stdout, stderr: stderr, done: make(chan struct{})}
	a.ctx, a.cancel = context.WithCancel(context.Background())

	h.mu.Lock()
	c := h.containerLocked(containerID)
	c.attaches[a] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(c.attaches, a)
		h.mu.Unlock()
	}()

	if stdin != nil {
		go h.pumpStdin(c, a, stdin)
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		a.finish(ctx.Err())
	}
	return a.err
}

func (a *attachment) write(t proto.Type, p []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.finished {
		return
	}
	w := a.stdout
	if t == proto.TypeStderr {
		w = a.stderr
	}
	if w == nil {
		return
	}
	if _, err := w.Write(p); err != nil {
		a.finishLocked(err)
	}
}

func (a *attachment) finish(err error) {
	a.mu.Lock()
	a.finishLocked(err)
	a.mu.Unlock()
}

func (a *attachment) finishLocked(err error) {
	if a.finished {
		return
	}
	a.finished = true
	a.err = err
	a.cancel()
	close(a.done)
}

// fanout writes main's output to every attachment, in turn. A slow
// attach client slows main's channel (its flow-control window fills),
// never another channel.
func (h *Hub) fanout(c *container, t proto.Type, p []byte) {
	h.mu.Lock()
	list := make([]*attachment, 0, len(c.attaches))
	for a := range c.attaches {
		list = append(list, a)
	}
	h.mu.Unlock()
	for _, a := range list {
		a.write(t, p)
	}
}

// pumpStdin copies stdin to main on whichever session is current,
// waiting through reconnects, until stdin ends or the attachment does.
func (h *Hub) pumpStdin(c *container, a *attachment, stdin io.Reader) {
	buf := make([]byte, proto.MaxPayload)
	for {
		n, err := stdin.Read(buf)
		if n > 0 && !h.sendMain(c, a, proto.TypeStdin, buf[:n]) {
			return
		}
		if errors.Is(err, io.EOF) {
			h.sendMain(c, a, proto.TypeStdinClose, nil)
			return
		}
		if err != nil {
			return
		}
	}
}

// sendMain delivers one stdin frame, retrying on the next session when
// the connection drops. It reports false once the attachment is over.
func (h *Hub) sendMain(c *container, a *attachment, t proto.Type, p []byte) bool {
	for {
		s, err := h.waitSession(a.ctx, c)
		if err != nil {
			return false
		}
		if t == proto.TypeStdin {
			err = s.main.WriteData(a.ctx, t, p)
		} else {
			err = s.main.Send(t, nil)
		}
		if err == nil {
			return true
		}
		if a.ctx.Err() != nil {
			return false
		}
		// The connection dropped: waitSession skips it until the agent
		// is back.
	}
}
