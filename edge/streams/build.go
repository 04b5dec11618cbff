package streams

import (
	"context"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// cancelTimeout bounds the call that stops an abandoned build.
const cancelTimeout = 10 * time.Second

// serveBuild follows a build's progress like logs --follow. The build
// context went with the first call, so follow-ups carry no body. When
// the client leaves before the end (Ctrl-C), the function is told to
// cancel the build, since nobody is left to see it finish.
func (e *Env) serveBuild(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	c.Body = nil
	if e.serveFollow(w, r, c, rep, buildPoll, false) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), cancelTimeout)
	defer cancel()
	stop := next(c, rep.Stream.Cursor)
	stop.Query[call.QueryCancel] = []string{"1"}
	if res := e.Call(ctx, stop); res.Status >= 400 {
		e.Log.Warn("cancelling an abandoned build failed", "status", res.Status, "body", string(res.Body))
	}
}
