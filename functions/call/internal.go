package call

import "time"

// The bodies of the internal operations, which the edge sends on the
// agent's behalf (ops.go names them). The edge, the function and tests
// share these types so the two ends cannot drift apart.

// OpContainerAutoRemove removes a --rm container once its exit is
// recorded and its streams have ended: the edge calls it after the
// agent has its acknowledgement, so the exit report itself does not
// wait for the filesystem to be deleted. Vars "id"; no body; the
// answer is an AutoRemoved.
const OpContainerAutoRemove = "internal.container.autoremove"

// OpContainerRestartByPolicy starts again a container whose exit its
// restart policy answers (ExitRecorded.Restart): the edge calls it
// once the agent has the acknowledgement of the exit, so the old
// workload has ended. Vars "id"; no body.
const OpContainerRestartByPolicy = "internal.container.restartbypolicy"

// AgentAuth is the body of OpAgentAuth: the credentials an agent dialed
// the edge with.
type AgentAuth struct {
	Container string `json:"Container"`
	Token     string `json:"Token"`
}

// ExitReport is the body of OpContainerExited: the main process's exit,
// as the agent reported it.
type ExitReport struct {
	ExitCode   int       `json:"exitCode"`
	FinishedAt time.Time `json:"finishedAt"`
}

// ExitRecorded is the function's answer to an ExitReport.
type ExitRecorded struct {
	// Recorded is false when the report was late or repeated (the exit
	// of that start was already known), and nothing changed.
	Recorded bool `json:"recorded,omitempty"`
	// Starts is the start number whose exit was recorded; a wait stream
	// whose ExitOf is at most Starts is over.
	Starts int `json:"starts,omitempty"`
	// AutoRemove: the container was run with --rm, and the edge is to
	// call OpContainerAutoRemove once its streams have ended.
	AutoRemove bool `json:"autoRemove,omitempty"`
	// Restart: the container's restart policy restarts it, and the edge
	// is to call OpContainerRestartByPolicy once its exit is acknowledged.
	Restart bool `json:"restart,omitempty"`
}

// AutoRemoved is the function's answer to OpContainerAutoRemove.
type AutoRemoved struct {
	// Removed is true when this call removed the container (false: it
	// was gone already, runs again, or is not a --rm container).
	Removed  bool `json:"removed,omitempty"`
	ExitCode int  `json:"exitCode"`
}

// ExecExit is the body of OpExecExited.
type ExecExit struct {
	ExitCode int `json:"exitCode"`
	Pid      int `json:"pid,omitempty"`
	// Error says why the exec could not run or was cut off, when it was.
	Error string `json:"error,omitempty"`
}

// OpContainerHealth records one healthcheck probe's result, which the
// agent ran inside the container and the edge passes on. Vars "id";
// body a HealthReport; no answer.
const OpContainerHealth = "internal.container.health"

// HealthReport is the body of OpContainerHealth.
type HealthReport struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	ExitCode int       `json:"exitCode"`
	Output   string    `json:"output"`
}
