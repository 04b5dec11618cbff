package streams

import (
	"encoding/json"
	"net/http"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// serveWait answers POST /containers/{id}/wait. Like dockerd it sends the
// 200 header at once, so a client knows the wait is registered before
// the container is started (docker run relies on this), then the body
// when the condition is met: when this edge hears the exit or the
// removal, or the function says so.
func (e *Env) serveWait(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	// Armed before the header goes out: the client may start the
	// container (and a failed start nudge) as soon as it reads it.
	armed := e.armNudge()
	w.Header().Set("Content-Type", "application/json")
	writeHeaderOnly(w, rep)
	flush(w)
	final, ok := e.awaitExit(r.Context(), c, rep, armed)
	if !ok {
		return
	}
	_, _ = w.Write(waitBody(final))
}

// waitBody is the body to send once the status line is out. An error
// reply cannot change the status any more, so it travels the way dockerd
// sends late wait errors: inside the WaitResponse.
func waitBody(final call.Reply) []byte {
	if final.Status < 400 {
		return final.Body
	}
	body, _ := json.Marshal(container.WaitResponse{
		Error: &container.WaitExitError{Message: call.ErrorMessage(final.Body)},
	})
	return body
}

// writeHeaderOnly writes rep's headers with status 200: the streams that
// use it start a successful response and finish it later.
func writeHeaderOnly(w http.ResponseWriter, rep call.Reply) {
	rep.Status = http.StatusOK
	reply.WriteHeader(w, rep)
}
