// Package awsjson serves the AWS JSON 1.0 and 1.1 protocols (a POST whose
// X-Amz-Target names the operation, JSON in, JSON out, errors as
// {"__type": ..., "message": ...}) for the simulated services: the
// operation table, input decoding, and error bodies.
package awsjson

import (
	"encoding/json"
	"errors"
	"net/http"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Fault is an operation's failure: it renders its own HTTP status and
// JSON body, so a service can add members (DynamoDB's Item and
// CancellationReasons) to the common shape.
type Fault interface {
	error
	Response() (status int, body []byte)
}

// Error is the common error shape of JSON-protocol services.
type Error struct {
	Type    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Response renders e as {"__type": Type, "message": Message}; the message
// is present even when empty.
func (e *Error) Response() (int, []byte) {
	b, _ := json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	return e.Status, b
}

// BadRequest is the 400 error of type typ: most client errors.
func BadRequest(typ, message string) *Error {
	return &Error{Type: typ, Message: message, Status: http.StatusBadRequest}
}

// Handler runs one operation of service S on its raw input; decode fills
// the operation's input struct from the body.
type Handler[S any] func(s *S, region string, decode func(in any) Fault) (any, Fault)

// Op adapts an operation with a typed input and output, failing with the
// service's own error type E, to a Handler.
func Op[S, In, Out, E any, PE interface {
	*E
	Fault
}](op func(*S, string, *In) (Out, PE)) Handler[S] {
	return func(s *S, region string, decode func(any) Fault) (any, Fault) {
		in := new(In)
		if f := decode(in); f != nil {
			return nil, f
		}
		out, err := op(s, region, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// API is one service's operation table and the errors it gives when the
// table cannot serve a request.
type API[S any] struct {
	Ops map[string]Handler[S]
	// RequireBody refuses an empty body as malformed JSON (DynamoDB);
	// otherwise it reads as {} (the JSON 1.1 services).
	RequireBody bool
	// Unknown is the error for an operation not in Ops; nil means
	// UnknownOperationException "Unknown operation <name>".
	Unknown func(operation string) Fault
	// Malformed is the error for a body that does not decode; nil means
	// SerializationException with the decoder's message.
	Malformed func(err error) Fault
	// Internal is the error for an output that does not encode.
	Internal func(err error) Fault
}

// Endpoint answers a service's operations: embedded in the service's
// value, it gives it the Handle method the server routes to.
type Endpoint struct {
	handle func(region, operation string, body []byte) (int, []byte)
}

// Handle serves one operation and returns the HTTP status and JSON body.
func (e Endpoint) Handle(region, operation string, body []byte) (int, []byte) {
	return e.handle(region, operation, body)
}

// Core is what every JSON-protocol service value embeds: its state and
// lock (service.State) and the Endpoint that serves its operations.
type Core[St any] struct {
	*service.State[St]
	Endpoint
}

// Open builds a JSON-protocol service: its state loaded from b.DB by
// open, with the default account where b gives none; wrap makes the
// service's value around the Core, whose Endpoint serves api's operations
// on that value, each with the state's lock held.
func Open[S, St any](b service.Base, open func(*bbolt.DB) (St, error), api *API[S], wrap func(Core[St]) *S) (*S, error) {
	st, err := service.Open(b, account.Default, open)
	if err != nil {
		return nil, err
	}
	var s *S
	s = wrap(Core[St]{st, Endpoint{func(region, operation string, body []byte) (int, []byte) {
		st.Mu.Lock()
		defer st.Mu.Unlock()
		return api.Serve(s, region, operation, body)
	}}})
	return s, nil
}

// Serve runs operation on s and returns the HTTP status and JSON body.
// A decoding error that is itself a Fault (a custom UnmarshalJSON
// validating its input) is returned as it is.
func (a *API[S]) Serve(s *S, region, operation string, body []byte) (int, []byte) {
	h, ok := a.Ops[operation]
	if !ok {
		if a.Unknown != nil {
			return a.Unknown(operation).Response()
		}
		return BadRequest("UnknownOperationException", "Unknown operation "+operation).Response()
	}
	if len(body) == 0 && !a.RequireBody {
		body = []byte("{}")
	}
	decode := func(in any) Fault {
		err := json.Unmarshal(body, in)
		if err == nil {
			return nil
		}
		var f Fault
		if errors.As(err, &f) {
			return f
		}
		if a.Malformed != nil {
			return a.Malformed(err)
		}
		return BadRequest("SerializationException", err.Error())
	}
	out, f := h(s, region, decode)
	if f != nil {
		return f.Response()
	}
	b, err := json.Marshal(out)
	if err != nil {
		return a.Internal(err).Response()
	}
	return http.StatusOK, b
}
