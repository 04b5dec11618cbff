// Package reply writes a call.Reply, or an error in Docker's JSON shape
// (call.ErrorReply), to an HTTP response.
package reply

import (
	"fmt"
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// ErrorReply builds a Reply carrying Docker's error JSON.
func ErrorReply(status int, format string, args ...any) call.Reply {
	return call.ErrorReply(status, fmt.Sprintf(format, args...))
}

// WriteError writes Docker's error JSON with status.
func WriteError(w http.ResponseWriter, status int, format string, args ...any) {
	Write(w, ErrorReply(status, format, args...))
}

// Write writes rep's headers, status and body. A zero Status means 200.
// Headers already set on w (Api-Version, Server) stay unless rep
// overrides them.
func Write(w http.ResponseWriter, rep call.Reply) {
	WriteHeader(w, rep)
	if len(rep.Body) > 0 && bodyAllowed(Status(rep)) {
		_, _ = w.Write(rep.Body)
	}
}

// WriteHeader writes rep's headers and status only, for streams that
// write the body themselves.
func WriteHeader(w http.ResponseWriter, rep call.Reply) {
	h := w.Header()
	for k, vs := range rep.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	w.WriteHeader(Status(rep))
}

// Status is rep's status, 200 when the function left it unset.
func Status(rep call.Reply) int {
	if rep.Status == 0 {
		return http.StatusOK
	}
	return rep.Status
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}
