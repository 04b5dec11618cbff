package streams

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// serveAttach bridges POST /containers/{id}/attach to the main process.
// The container may not be started yet (docker run attaches first), so
// the hub holds the streams until the process runs.
func (e *Env) serveAttach(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
	if st.Done && r.Method != http.MethodGet {
		e.serveAttachLogs(w, r, c, rep)
		return
	}
	if e.Hub == nil {
		reply.WriteError(w, http.StatusNotImplemented, "attach needs the agent hub, and this edge runs without one")
		return
	}
	if r.Method == http.MethodGet {
		e.serveAttachWS(w, r, c, rep)
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
	go e.endWhenExited(ctx, c, st, cancel)

	// With logs=1 the function sends the past output first.
	if len(rep.Body) > 0 {
		h.pauseAfterHead()
		if _, err := h.out.Write(rep.Body); err != nil {
			return
		}
	}
	var stdin io.Reader
	if st.Stdin {
		stdin = h.stdin
		if len(st.DetachKeys) > 0 {
			stdin = &detachReader{r: h.stdin, keys: st.DetachKeys, detach: cancel}
		}
	}
	stdout, stderr := h.streams(st.TTY)
	if !st.Stdout {
		stdout = io.Discard
	}
	if !st.Stderr {
		stderr = io.Discard
	}
	if err := e.Hub.Attach(ctx, st.Container, stdin, stdout, stderr); err != nil && ctx.Err() == nil {
		e.Log.Warn("attach ended with an error", "container", st.Container, "err", err)
		h.fail(st.TTY, err)
	}
}

// serveAttachLogs answers an attach without stream=1: the stored output
// the function sent, then the end of the stream.
func (e *Env) serveAttachLogs(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	h, err := e.hijack(w, r, c.Version, rep.Stream.TTY)
	if err != nil {
		reply.WriteError(w, http.StatusInternalServerError, "%s", err)
		return
	}
	defer h.Close()
	h.pauseAfterHead()
	_, _ = h.out.Write(rep.Body)
}

// attachGrace is how long an attachment outlives its container's exit,
// for the agent to deliver the last output and end it itself.
const attachGrace = 2 * time.Second

// endWhenExited ends an attachment whose container exits without its
// agent ending it: a workload that never ran its agent (an image the
// cloud could not pull, say) would otherwise hold docker run forever.
// The attach stream names the exit (ExitOf) and carries a next-exit wait
// cursor, so an exit this edge hears ends it without a call, and the
// safety poll asks the function about the others.
func (e *Env) endWhenExited(ctx context.Context, c call.Call, st *call.Stream, cancel context.CancelFunc) {
	wc := call.Call{Op: call.OpContainerWait, Version: c.Version,
		Vars: map[string]string{"name": st.Container}, Query: url.Values{"condition": {"next-exit"}}}
	rep := call.Reply{Status: http.StatusOK, Stream: &call.Stream{
		Kind: call.StreamWait, Container: st.Container, Cursor: st.Cursor, ExitOf: st.ExitOf}}
	armed := e.armNudge()
	if st.Cursor == "" {
		// A function that names no exit: ask it where the wait starts.
		if rep = e.Call(ctx, wc); rep.Status >= 400 || ctx.Err() != nil {
			return
		}
	}
	if _, ok := e.awaitExit(ctx, wc, rep, armed); !ok {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(attachGrace):
		cancel()
	}
}
