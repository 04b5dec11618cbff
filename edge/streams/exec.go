package streams

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// serveExec runs POST /exec/{id}/start: the function has validated the
// exec and sends its spec; the agent runs it. A detached exec runs in
// the background and the client gets an empty 200 at once.
func (e *Env) serveExec(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
	var spec proto.ProcessSpec
	if err := json.Unmarshal(st.Spec, &spec); err != nil {
		reply.WriteError(w, http.StatusInternalServerError, "the function sent an exec spec the edge cannot read: %v", err)
		return
	}
	var req container.ExecStartRequest
	if len(c.Body) > 0 {
		if err := json.Unmarshal(c.Body, &req); err != nil {
			reply.WriteError(w, http.StatusBadRequest, "invalid exec start request: %v", err)
			return
		}
	}
	if !st.Running {
		notRunning(w, st.Container)
		return
	}
	// Look the session up before answering, so a missing agent is a
	// clean HTTP error rather than a stream that ends at once.
	sess, err := e.session(r.Context(), st)
	if err != nil {
		writeSessionError(w, st, err)
		return
	}
	if req.Detach || st.Done {
		go e.runExec(e.Background, sess, c, st, spec, nil, io.Discard, io.Discard)
		w.WriteHeader(http.StatusOK)
		return
	}
	h, err := e.hijack(w, r, c.Version, st.TTY)
	if err != nil {
		reply.WriteError(w, http.StatusInternalServerError, "%s", err)
		return
	}
	defer h.Close()
	ctx, cancel := context.WithCancel(calllog.Carry(e.Background, r.Context()))
	defer cancel()
	defer h.closeOnDone(ctx)()

	var stdin io.Reader
	if st.Stdin {
		stdin = h.stdin
		if len(st.DetachKeys) > 0 {
			// Detaching leaves the exec running: its output is dropped
			// once the connection is gone, and its exit still recorded.
			stdin = &detachReader{r: h.stdin, keys: st.DetachKeys, detach: h.Close}
		}
	}
	stdout, stderr := h.streams(st.TTY)
	if !st.Stdout {
		stdout = io.Discard
	}
	if !st.Stderr {
		stderr = io.Discard
	}
	if err := e.runExec(ctx, sess, c, st, spec, stdin, stdout, stderr); err != nil {
		h.fail(st.TTY, err)
	}
}

// runExec runs the exec to its end and reports its exit to the function
// before returning, so that the client, which inspects the exec as soon
// as its stream ends, finds the exit code recorded.
func (e *Env) runExec(ctx context.Context, sess *hub.Session, c call.Call, st *call.Stream, spec proto.ProcessSpec, stdin io.Reader, stdout, stderr io.Writer) error {
	var started atomic.Bool
	code, err := sess.Exec(ctx, st.Exec, spec, stdin, stdout, stderr, func() { started.Store(true) })
	body := call.ExecExit{ExitCode: code}
	if err != nil {
		// A process that never ran exits 126 or 127 in Docker; one that
		// was cut off by a lost agent has no code. Both are errors.
		body.ExitCode = -1
		if !started.Load() {
			body.ExitCode = 126
			if errors.Is(err, proto.ErrNotFound) {
				body.ExitCode = 127
			}
		}
		body.Error = err.Error()
		e.Log.Warn("exec failed", "container", st.Container, "exec", st.Exec, "err", err)
	}
	raw, _ := json.Marshal(body)
	// The report must land even when the client has gone.
	rctx := context.WithoutCancel(ctx)
	rep := e.Call(rctx, call.Call{
		Op:      call.OpExecExited,
		Version: c.Version,
		Vars:    map[string]string{"id": st.Exec},
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    raw,
	})
	if rep.Status >= 400 {
		e.Log.Error("recording exec exit failed", "exec", st.Exec, "status", rep.Status, "body", string(rep.Body))
	}
	return err
}
