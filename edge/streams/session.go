package streams

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// sessionWait bounds how long a stream waits for a running container's
// agent to be connected: it may be reconnecting, or the workload may
// have just started. Past it, the agent counts as gone.
const sessionWait = 2 * time.Second

var (
	errNoHub     = errors.New("this edge runs without an agent hub, so it cannot reach any container's process")
	errAgentGone = errors.New("the container's agent is not connected")
)

// session finds st.Container's agent session, waiting up to sessionWait.
func (e *Env) session(ctx context.Context, st *call.Stream) (*hub.Session, error) {
	if e.Hub == nil {
		return nil, errNoHub
	}
	wctx, cancel := context.WithTimeout(ctx, sessionWait)
	defer cancel()
	s, err := e.Hub.Session(wctx, st.Container)
	if err != nil {
		if ctx.Err() == nil {
			return nil, errAgentGone
		}
		return nil, err
	}
	return s, nil
}

// writeSessionError answers a request whose stream needed an agent
// session that could not be had.
func writeSessionError(w http.ResponseWriter, st *call.Stream, err error) {
	if errors.Is(err, errNoHub) {
		reply.WriteError(w, http.StatusNotImplemented, "%s", err)
		return
	}
	reply.WriteError(w, http.StatusInternalServerError, "container %s is running but its agent cannot be reached: %v", st.Container, err)
}

// writeAgentError maps an error from the agent to Docker's error JSON.
func writeAgentError(w http.ResponseWriter, st *call.Stream, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, proto.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, proto.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, proto.ErrNotRunning):
		status = http.StatusConflict
	}
	reply.WriteError(w, status, "container %s: %v", st.Container, err)
}

// done writes the status the function chose for a finished stream.
func done(w http.ResponseWriter, rep call.Reply) {
	rep.Stream = nil
	if rep.Status == 0 {
		rep.Status = http.StatusNoContent
	}
	reply.Write(w, rep)
}
