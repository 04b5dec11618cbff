package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/sockerless/sockerless/agent/proto"
)

// Redial pacing for Dial, as the agent's own in reverse mode: fast first
// retries find an agent that is just starting almost at once.
const (
	firstRedial = 5 * time.Millisecond
	maxRedial   = time.Second
	// dialTimeout bounds one dial and handshake, so an address that
	// swallows packets is retried rather than waited on.
	dialTimeout = 10 * time.Second
	// goneAfterAck is how many failed redials after an ack mean the
	// agent has gone: one that got the ack stops listening at once.
	goneAfterAck = 3
)

// RefusedError is a forward-mode agent's refusal of the edge's dial: a
// wrong token (401) or the wrong container (404). Redialling would not
// help.
type RefusedError struct {
	URL     string
	Status  int
	Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("agent at %s refused the edge: %d %s: %s", e.URL, e.Status, http.StatusText(e.Status), e.Message)
}

// Dial connects to a forward-mode agent listening at url (ws://host:port
// plus agent.ForwardPath) for container containerID, authenticating with
// the container's token, and serves the session exactly as if the agent
// had dialled in: attaches, execs and OnExit work the same. It redials
// with backoff while the agent is not up yet and whenever the connection
// drops. It returns nil once main's exit has been acknowledged and the
// agent has stopped accepting the edge; a *RefusedError when the agent
// refuses the credentials; or ctx's error (closing the session) when ctx
// ends first. Call it once per container start, in its own goroutine.
func (h *Hub) Dial(ctx context.Context, url, containerID, token string) error {
	backoff := firstRedial
	acked, failsAfterAck := false, 0
	for {
		s, err := h.dialOnce(ctx, url, containerID, token)
		var refused *RefusedError
		switch {
		case errors.As(err, &refused) && refused.Status == http.StatusGone:
			return nil // the agent's exit was acknowledged, maybe by an earlier edge
		case refused != nil:
			return err
		case s != nil:
			backoff = firstRedial
			acked = acked || s.acked.Load()
		case acked:
			if failsAfterAck++; failsAfterAck >= goneAfterAck {
				return nil
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("dialling the agent of container %s: %w", containerID, ctx.Err())
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
		backoff = min(2*backoff, maxRedial)
	}
}

// dialOnce dials the agent and serves the connection until it ends. It
// returns the ended session, or nil and why there was none.
func (h *Hub) dialOnce(ctx context.Context, url, containerID, token string) (*Session, error) {
	hdr := http.Header{}
	hdr.Set(HeaderAuth, "Bearer "+token)
	hdr.Set(HeaderContainer, containerID)
	// The dial's context must outlive the handshake (it carries the
	// connection), so the timeout cancels it only while dialling.
	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := time.AfterFunc(dialTimeout, cancel)
	ws, resp, err := websocket.Dial(connCtx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if !timer.Stop() && err == nil {
		ws.CloseNow()
		return nil, fmt.Errorf("dialling %s: timed out", url)
	}
	if err != nil {
		if resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500 {
			return nil, &RefusedError{URL: url, Status: resp.StatusCode, Message: refusalMessage(resp)}
		}
		return nil, err // not up yet, or unreachable: redial
	}
	m := proto.NewMux(ws)
	stop := context.AfterFunc(ctx, m.Close)
	defer stop()
	hello, err := readHello(ctx, m, containerID)
	if err != nil {
		m.Close()
		return nil, err
	}
	return h.serve(m, hello), nil
}

// refusalMessage is the agent's explanation from a refusal's body.
func refusalMessage(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	var body struct{ Message string }
	if json.Unmarshal(b, &body) == nil && body.Message != "" {
		return body.Message
	}
	return strings.TrimSpace(string(b))
}
