package call

import "encoding/json"

// StreamKind says how the edge finishes an exchange the function started.
type StreamKind string

const (
	// StreamAttach hijacks the client connection and bridges it to the
	// main process of Container through the agent session.
	StreamAttach StreamKind = "attach"
	// StreamExec hijacks the client connection, asks the agent to start
	// Exec (ExecSpec) and bridges its stdio; on exit the edge calls
	// OpExecExited with the exit code.
	StreamExec StreamKind = "exec"
	// StreamWait ends when the edge hears the exit ExitOf names from the
	// agent (or the removal, when ExitOf is 0) and answers the waiter
	// itself; a slow safety poll of OpContainerWait with Cursor covers
	// exits no agent of this edge reports.
	StreamWait StreamKind = "wait"
	// StreamLogs writes Body, then polls OpContainerLogs with Cursor
	// (follow mode) until the reply says the container has stopped.
	StreamLogs StreamKind = "logs"
	// StreamEvents writes Body, then polls OpSystemEvents with Cursor
	// until the client leaves or "until" passes.
	StreamEvents StreamKind = "events"
	// StreamBuild writes Body, then polls OpBuild with Cursor (and no
	// body: the context went with the first call) until Done. When the
	// client leaves first, the edge calls once more with the cursor and
	// the query "cancel", and the function stops the build.
	StreamBuild StreamKind = "build"
	// StreamSignal delivers Signal to the main process, then writes Status.
	StreamSignal StreamKind = "signal"
	// StreamStop sends Signal, waits up to Timeout seconds for the exit,
	// then SIGKILL, then writes Status.
	StreamStop StreamKind = "stop"
	// StreamResize resizes the TTY of the main process or of Exec.
	StreamResize StreamKind = "resize"
	// StreamStarted answers a start once the container's agent has
	// connected and started main (its ack), or main has exited,
	// or a bound has passed: as with dockerd, a client that execs, tops
	// or reads logs right after the start finds main running. With
	// Binds, the agent holds main: the edge first copies each bind's
	// source in, then releases it (and copies read-write binds back
	// when main exits).
	StreamStarted StreamKind = "started"
	// StreamTop asks the agent for the process list.
	StreamTop StreamKind = "top"
	// StreamArchiveGet / Put / Stat serve GET, PUT and HEAD
	// /containers/{id}/archive through the agent.
	StreamArchiveGet  StreamKind = "archive-get"
	StreamArchivePut  StreamKind = "archive-put"
	StreamArchiveStat StreamKind = "archive-stat"
)

// Stream tells the edge how to carry on after the function replied.
type Stream struct {
	Kind      StreamKind `json:"kind"`
	Container string     `json:"container,omitempty"`
	Exec      string     `json:"exec,omitempty"`
	// TTY: raw stream instead of stdcopy multiplexing.
	TTY    bool `json:"tty,omitempty"`
	Stdin  bool `json:"stdin,omitempty"`
	Stdout bool `json:"stdout,omitempty"`
	Stderr bool `json:"stderr,omitempty"`
	// Cursor is opaque to the edge; it hands it back on the next call.
	Cursor string `json:"cursor,omitempty"`
	// Signal is a signal name or number as Docker accepts it.
	Signal  string `json:"signal,omitempty"`
	Timeout int    `json:"timeout,omitempty"`
	Height  uint   `json:"height,omitempty"`
	Width   uint   `json:"width,omitempty"`
	// Path is the container path for archive streams; PSArgs for top.
	Path   string `json:"path,omitempty"`
	PSArgs string `json:"psArgs,omitempty"`
	// Spec carries the process spec for StreamExec (agent/proto.ProcessSpec).
	Spec json.RawMessage `json:"spec,omitempty"`
	// DetachKeys, on an attach or exec stream, is the input sequence
	// that ends the client's connection and leaves the process running
	// (Docker's detach).
	DetachKeys []byte `json:"detachKeys,omitempty"`
	// Running is false when the workload has already gone, so streams
	// that need the agent answer at once instead of waiting for it.
	Running bool `json:"running,omitempty"`
	// Done ends a polling stream (wait, logs, events, build); on an
	// attach stream, Body (the logs) is all there is to send.
	Done bool `json:"done,omitempty"`
	// ExitOf, on a wait stream, is the start number of the container
	// whose exit ends the wait; 0: only its removal does. On an attach
	// stream it is the exit that ends the attachment, and Cursor is a
	// next-exit wait cursor for the edge's safety poll.
	ExitOf int `json:"exitOf,omitempty"`
	// Binds, on a started stream, are the bind mounts the edge copies
	// between its machine and the workload, which cannot mount them.
	Binds []Bind `json:"binds,omitempty"`
}

// Bind is a bind mount the edge copies: Source is a path on the edge's
// machine (the Docker client's host), Target the container path.
// Read-write binds are copied back into Source when main exits.
type Bind struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}
