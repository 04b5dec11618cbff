package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// apiError is an error with the HTTP status Docker gives it.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error { return errorf(http.StatusNotFound, format, args...) }
func conflict(format string, args ...any) error { return errorf(http.StatusConflict, format, args...) }
func invalid(format string, args ...any) error  { return errorf(http.StatusBadRequest, format, args...) }

// errNotModified is Docker's 304 for starting a running container and
// stopping a stopped one: no body.
var errNotModified = &apiError{status: http.StatusNotModified}

// statusOf maps any error to the status Docker would use.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status
	}
	return http.StatusInternalServerError
}

// errorReply writes err as Docker's error JSON.
func errorReply(err error) call.Reply {
	status := statusOf(err)
	if status == http.StatusNotModified {
		return call.Reply{Status: status}
	}
	return call.ErrorReply(status, err.Error())
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

// jsonReply encodes v with status.
func jsonReply(status int, v any) call.Reply {
	body, err := json.Marshal(v)
	if err != nil {
		return errorReply(fmt.Errorf("encode reply: %w", err))
	}
	return call.Reply{Status: status, Header: jsonHeader(), Body: body}
}

// decodeBody decodes a JSON request body into v. An empty body leaves v
// as is when allowEmpty.
func decodeBody(c call.Call, v any, allowEmpty bool) error {
	if len(c.Body) == 0 {
		if allowEmpty {
			return nil
		}
		return invalid("invalid JSON: request body is empty")
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return invalid("invalid JSON: %v", err)
	}
	return nil
}
