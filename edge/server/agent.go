package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/edge/apiversion"
	"github.com/sockerless/sockerless/functions/call"
)

// AgentAuthorizer checks agents' tokens by asking the function
// (call.OpAgentAuth): the edge never holds the signing key. Pass it to
// hub.New.
func AgentAuthorizer(h call.Handler) hub.Authorizer {
	return func(ctx context.Context, containerID, token string) error {
		body, _ := json.Marshal(struct{ Container, Token string }{containerID, token})
		rep := h.Handle(ctx, call.Call{
			Op:      call.OpAgentAuth,
			Version: apiversion.Max,
			Header:  http.Header{"Content-Type": {"application/json"}},
			Body:    body,
		})
		if rep.Status >= 400 {
			return fmt.Errorf("%s", call.ErrorMessage(rep.Body))
		}
		return nil
	}
}

// exitReport is the body of call.OpContainerExited.
type exitReport struct {
	ExitCode   int       `json:"exitCode"`
	FinishedAt time.Time `json:"finishedAt"`
}

// reportExit tells the function that a container's main process exited.
// The hub acknowledges the exit to the agent only after this returns,
// so the exit is recorded before any attached client sees its stream
// end.
func (s *Server) reportExit(containerID string, code int, at time.Time) {
	body, _ := json.Marshal(exitReport{ExitCode: code, FinishedAt: at.UTC()})
	rep := s.streams.Call(s.streams.Background, call.Call{
		Op:      call.OpContainerExited,
		Version: apiversion.Max,
		Vars:    map[string]string{"id": containerID},
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    body,
	})
	if rep.Status >= 400 {
		s.cfg.Log.Error("recording container exit failed", "container", containerID, "code", code, "status", rep.Status, "message", call.ErrorMessage(rep.Body))
	}
}
