package streams

import (
	"context"
	"io"
	"net/http"

	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// serveAttach bridges POST /containers/{id}/attach to the main process.
// The container may not be started yet (docker run attaches first), so
// the hub holds the streams until the process runs.
func (e *Env) serveAttach(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
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
	ctx, cancel := context.WithCancel(e.Background)
	defer cancel()
	defer h.closeOnDone(ctx)()

	// With logs=1 the function sends the past output first.
	if len(rep.Body) > 0 {
		if _, err := h.out.Write(rep.Body); err != nil {
			return
		}
	}
	var stdin io.Reader
	if st.Stdin {
		stdin = h.stdin
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
