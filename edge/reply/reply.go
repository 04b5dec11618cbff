// Package reply writes a call.Reply, or an error in Docker's JSON shape,
// to an HTTP response.
package reply

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Error is Docker's error body.
type Error struct {
	Message string `json:"message"`
}

// ErrorReply builds a Reply carrying Docker's error JSON.
func ErrorReply(status int, format string, args ...any) call.Reply {
	body, _ := json.Marshal(Error{Message: fmt.Sprintf(format, args...)})
	return call.Reply{
		Status: status,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	}
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

// Message extracts the message of a Docker error body, or the body
// itself when it is not one.
func Message(body []byte) string {
	var e Error
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	return string(body)
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}
