// Package streams finishes the exchanges a function starts with a
// call.Stream: it bridges hijacked connections to the agent session of a
// container, polls the function with a cursor for wait, logs and events,
// and carries signals, resize, top and archive to the agent. It holds no
// container state: everything it needs arrives in the Stream.
package streams

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/binds"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// Env is what every stream needs.
type Env struct {
	Handler call.Handler
	// Hub finds agent sessions. Nil means no agent can ever connect:
	// streams that need one fail with a message saying so.
	Hub *hub.Hub
	// Binds copies bind mounts in and out of workloads that cannot mount
	// them (call.Stream.Binds).
	Binds *binds.Copier
	Log   *slog.Logger
	// Background outlives requests: hijacked streams and detached execs
	// run under it, and cancelling it (on shutdown) ends them all, since
	// net/http no longer tracks a hijacked connection.
	Background context.Context

	// exits is the news of exits and removals that ends waits.
	exits exitBoard
}

// Serve finishes the exchange for rep, whose Stream is set; c is the
// call that produced it.
func (e *Env) Serve(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
	switch st.Kind {
	case call.StreamWait:
		e.serveWait(w, r, c, rep)
	case call.StreamLogs:
		e.serveFollow(w, r, c, rep, logsPoll, true)
	case call.StreamEvents:
		e.serveFollow(w, r, c, rep, eventsPoll, false)
	case call.StreamBuild:
		e.serveBuild(w, r, c, rep)
	case call.StreamAttach:
		e.serveAttach(w, r, c, rep)
	case call.StreamExec:
		e.serveExec(w, r, c, rep)
	case call.StreamSignal:
		e.serveSignal(w, r, c, rep)
	case call.StreamStop:
		e.serveStop(w, r, c, rep)
	case call.StreamResize:
		e.serveResize(w, r, rep)
	case call.StreamStarted:
		e.serveStarted(w, r, rep)
	case call.StreamTop:
		e.serveTop(w, r, rep)
	case call.StreamArchiveGet, call.StreamArchiveStat:
		e.serveArchiveGet(w, r, rep)
	case call.StreamArchivePut:
		e.serveArchivePut(w, r, c, rep)
	default:
		reply.WriteError(w, http.StatusInternalServerError, "the function asked for stream kind %q, which this edge does not know", st.Kind)
	}
}

// Call invokes the handler, turning a panic into Docker's 500 JSON so one
// bad call cannot take the edge down.
func (e *Env) Call(ctx context.Context, c call.Call) (rep call.Reply) {
	defer func() {
		if p := recover(); p != nil {
			e.Log.Error("function panicked", "op", c.Op, "panic", p, "stack", string(debug.Stack()))
			rep = reply.ErrorReply(http.StatusInternalServerError, "internal error in %s: %v", c.Op, p)
		}
	}()
	return e.Handler.Handle(ctx, c)
}

// next is c again with the stream's cursor added to the query.
func next(c call.Call, cursor string) call.Call {
	q := make(map[string][]string, len(c.Query)+1)
	for k, v := range c.Query {
		q[k] = v
	}
	q[call.QueryCursor] = []string{cursor}
	c.Query = q
	return c
}

func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}

func notRunning(w http.ResponseWriter, container string) {
	reply.WriteError(w, http.StatusConflict, "container %s is not running", container)
}
