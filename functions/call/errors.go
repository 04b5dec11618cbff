package call

import (
	"encoding/json"
	"net/http"

	"github.com/moby/moby/api/types/common"
)

// ErrorReply is Docker's error reply: status, with moby's ErrorResponse
// carrying msg as the body. Every error the edge, a transport or a
// function answers is built here.
func ErrorReply(status int, msg string) Reply {
	body, _ := json.Marshal(common.ErrorResponse{Message: msg})
	return Reply{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// ErrorMessage reads the message of Docker's error body, or returns the
// body as it is when it is not one.
func ErrorMessage(body []byte) string {
	var e common.ErrorResponse
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	return string(body)
}
