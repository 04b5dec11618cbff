package clients

import (
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
)

// ShowActLeftovers logs the state and output of the job containers a failed
// act run left (why a job container stopped shows there), then removes
// them and their volumes.
func ShowActLeftovers(t testing.TB, e *harness.Engine) {
	ids := strings.Fields(e.Docker("ps", "-aq", "--filter", "name=^act-").Stdout)
	for _, id := range ids {
		if t.Failed() {
			st := e.Docker("inspect", "--format", "{{.Name}}: {{.State.Status}}, exit {{.State.ExitCode}} {{.State.Error}}", id)
			logs := e.Docker("logs", "--tail", "10", id)
			t.Logf("job container %s\n    output: %s%s", strings.TrimSpace(st.Stdout), logs.Stdout, logs.Stderr)
		}
		e.Docker("rm", "-f", "-v", id)
	}
	for _, v := range strings.Fields(e.Docker("volume", "ls", "-q", "--filter", "name=^act-").Stdout) {
		e.Docker("volume", "rm", "-f", v)
	}
}
