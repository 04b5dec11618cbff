// Package call is the envelope between the edge and a control-plane
// function. The edge turns every Docker API request into a Call; the
// function answers with a Reply. Both survive a JSON round trip, so the
// same envelope travels in-process, through Lambda Invoke, or over HTTPS.
package call

import (
	"context"
	"net/http"
	"net/url"
)

// Call is one Docker API request, already routed by the edge.
type Call struct {
	// Op names the operation, e.g. "container.create" (see ops.go).
	Op string `json:"op"`
	// Version is the API version the client asked for ("1.50"), or the
	// edge's default when the path was unversioned.
	Version string `json:"version"`
	// Vars are the path variables of the route (name, id, execid, ...).
	Vars   map[string]string `json:"vars,omitempty"`
	Query  url.Values        `json:"query,omitempty"`
	Header http.Header       `json:"header,omitempty"`
	Body   []byte            `json:"body,omitempty"`
}

// Var returns the path variable name, or "".
func (c Call) Var(name string) string { return c.Vars[name] }

// Reply is the function's answer. When Stream is set the edge owns the
// rest of the exchange: it bridges the connection to the workload's
// agent or keeps calling the function with a cursor.
type Reply struct {
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"body,omitempty"`
	Stream *Stream     `json:"stream,omitempty"`
}

// Handler is a control-plane function: a plain handler, as in
// aws-lambda-go. It never fails at the transport level; errors are
// Replies carrying Docker's error JSON.
type Handler interface {
	Handle(ctx context.Context, c Call) Reply
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, c Call) Reply

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, c Call) Reply { return f(ctx, c) }
