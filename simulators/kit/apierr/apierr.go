// Package apierr is the failure a simulated operation returns: the HTTP
// status, the cloud's code for it and a message a person can act on.
// Each protocol renders it in its own shape.
//
// The AWS simulator's IAM renders it as the query protocol's XML and
// Lambda as REST-JSON with X-Amzn-ErrorType; a GCP simulator renders it
// as google.rpc.Status ({"error": {"code", "message", "status"}}), with
// Code the canonical status name (NOT_FOUND, ALREADY_EXISTS, ...).
package apierr

import "fmt"

// Error is one failed operation.
type Error struct {
	Status  int    // HTTP status
	Code    string // the cloud's error code
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New is an Error whose message is formatted from format and a.
func New(status int, code, format string, a ...any) *Error {
	return &Error{status, code, fmt.Sprintf(format, a...)}
}
