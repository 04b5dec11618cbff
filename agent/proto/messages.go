package proto

import (
	"encoding/json"
	"errors"
	"fmt"
)

// MainState is what the agent knows about the main process when it says
// hello.
type MainState string

const (
	// MainCreated: the main process has not been started; the edge sends
	// start.
	MainCreated MainState = "created"
	// MainRunning: the agent reconnected while main runs; the edge
	// re-binds its attached streams and must not start it again.
	MainRunning MainState = "running"
	// MainExited: main exited and the edge has not acknowledged the exit.
	MainExited MainState = "exited"
)

// Hello is the agent's first frame on every connection.
type Hello struct {
	ContainerID  string `json:"containerId"`
	AgentVersion string `json:"agentVersion"`
	// Run identifies one run of the agent (one life of the main
	// process), so the edge can tell a repeated exit report from a new
	// exit after a restart.
	Run      string    `json:"run"`
	Main     MainState `json:"main"`
	ExitCode int       `json:"exitCode,omitempty"`
	// AcksStart: this agent answers start with an ack on the main
	// channel once main runs (or with main's exit when it cannot run),
	// so the edge can answer a start when dockerd would.
	AcksStart bool `json:"acksStart,omitempty"`
}

// Exit reports a process's exit code (main on channel 1, or an exec).
type Exit struct {
	Code int    `json:"code"`
	Run  string `json:"run,omitempty"` // main only: Hello.Run
}

// OpenKind names what an open frame asks for.
type OpenKind string

const (
	OpenExec        OpenKind = "exec"
	OpenArchiveGet  OpenKind = "archive-get"
	OpenArchivePut  OpenKind = "archive-put"
	OpenArchiveStat OpenKind = "archive-stat"
	OpenTop         OpenKind = "top"
	// OpenRelease starts a main process held for the edge
	// (agent.Config.HoldMain) once the edge has put the workload's
	// bind-mount copies in place; with Refused set, main fails instead,
	// with that reason.
	OpenRelease OpenKind = "release"
)

// Open starts a request on a new channel.
type Open struct {
	Kind OpenKind `json:"kind"`
	// Exec
	ExecID string       `json:"execId,omitempty"`
	Spec   *ProcessSpec `json:"spec,omitempty"`
	// Archive
	Path                 string `json:"path,omitempty"`
	NoOverwriteDirNonDir bool   `json:"noOverwriteDirNonDir,omitempty"`
	// Top
	PsArgs string `json:"psArgs,omitempty"`
	// Release
	Refused string `json:"refused,omitempty"`
}

// Resize is a terminal size change.
type Resize struct {
	Height uint `json:"h"`
	Width  uint `json:"w"`
}

// Signal asks for a signal to be delivered (numeric, as in syscall).
type Signal struct {
	Sig int `json:"sig"`
}

// TopResult answers a top request, in the shape of Docker's
// ContainerTopResponse.
type TopResult struct {
	Titles    []string   `json:"titles"`
	Processes [][]string `json:"processes"`
}

// Error codes carried in error frames.
const (
	CodeNotFound   = "notfound"
	CodeInvalid    = "invalid"
	CodeNotRunning = "notrunning"
	CodeInternal   = "internal"
)

var (
	// ErrNotFound: the path, exec or process does not exist (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the request cannot be served as asked (HTTP 400).
	ErrInvalid = errors.New("invalid request")
	// ErrNotRunning: the target process is not running (HTTP 409).
	ErrNotRunning = errors.New("not running")
	// ErrConnLost: the agent's connection ended before the answer came.
	ErrConnLost = errors.New("agent connection lost")
	// ErrClosed: the channel was closed.
	ErrClosed = errors.New("channel closed")
)

// Error is the payload of an error frame.
type Error struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Is maps the code to the package's sentinel errors, so callers can use
// errors.Is(err, proto.ErrNotFound).
func (e *Error) Is(target error) bool {
	switch e.Code {
	case CodeNotFound:
		return target == ErrNotFound
	case CodeInvalid:
		return target == ErrInvalid
	case CodeNotRunning:
		return target == ErrNotRunning
	}
	return false
}

// ErrorFrom builds the error payload for err, picking the code from the
// sentinel it wraps.
func ErrorFrom(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	code := CodeInternal
	switch {
	case errors.Is(err, ErrNotFound):
		code = CodeNotFound
	case errors.Is(err, ErrInvalid):
		code = CodeInvalid
	case errors.Is(err, ErrNotRunning):
		code = CodeNotRunning
	}
	return &Error{Message: err.Error(), Code: code}
}

// DecodeJSON unmarshals a control payload, wrapping failures in ErrFrame.
func DecodeJSON(f Frame, v any) error {
	if err := json.Unmarshal(f.Payload, v); err != nil {
		return fmt.Errorf("%w: %s payload on channel %d: %v", ErrFrame, f.Type, f.Channel, err)
	}
	return nil
}
