package proto

import (
	"encoding/json"
	"time"
)

// HealthSpec is a container's healthcheck as the agent runs it: core
// resolves Docker's settings (the image's, the container's, the
// defaults) into it, and the agent probes main's container with it
// for as long as main runs. The agent only probes; core turns the
// results into State.Health.
type HealthSpec struct {
	// Args is the probe's command line (CMD-SHELL already wrapped in
	// the shell).
	Args     []string      `json:"args"`
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
	// StartPeriod and StartInterval: during StartPeriod after main's
	// start, the agent probes every StartInterval (Interval when 0).
	StartPeriod   time.Duration `json:"startPeriod,omitempty"`
	StartInterval time.Duration `json:"startInterval,omitempty"`
}

// HealthResult is one probe's outcome, the payload of a health frame
// on the main channel.
type HealthResult struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	ExitCode int       `json:"exitCode"`
	Output   string    `json:"output"`
}

// HealthOutputMax bounds a probe's kept output, as dockerd's
// maxOutputLen does.
const HealthOutputMax = 4096

// EnvHealth is the agent program's environment variable that holds the
// healthcheck, a HealthSpec as JSON.
const EnvHealth = "SOCKERLESS_HEALTHCHECK"

// Env is h as the agent program's environment (EnvHealth), for a
// runtime that starts the agent as a program: none when h is nil.
func (h *HealthSpec) Env() []string {
	if h == nil {
		return nil
	}
	b, _ := json.Marshal(h) // plain struct: cannot fail
	return []string{EnvHealth + "=" + string(b)}
}
