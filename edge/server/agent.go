package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/edge/apiversion"
	"github.com/sockerless/sockerless/functions/call"
)

// AgentAuthorizer checks agents' tokens by asking the function
// (call.OpAgentAuth): the edge never holds the signing key. Pass it to
// hub.New.
func AgentAuthorizer(h call.Handler) hub.Authorizer {
	return func(ctx context.Context, containerID, token string) error {
		body, _ := json.Marshal(call.AgentAuth{Container: containerID, Token: token})
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

// pendingIDs are the containers whose exit the function has recorded
// and for which the edge has something to do once the exit is
// acknowledged: remove a --rm container, restart one by its policy.
type pendingIDs struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (p *pendingIDs) add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[string]bool{}
	}
	p.ids[id] = true
}

// take reports whether id was pending, and forgets it.
func (p *pendingIDs) take(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok := p.ids[id]
	delete(p.ids, id)
	return ok
}

// reportExit tells the function that a container's main process exited,
// then tells this edge's waits. The hub releases the attachments and
// acknowledges the exit to the agent after this returns, so the exit is
// recorded before any client sees its stream end; a --rm container is
// removed later, in exitAcked.
func (s *Server) reportExit(containerID string, code int, at time.Time) {
	s.copyBack(containerID)
	body, _ := json.Marshal(call.ExitReport{ExitCode: code, FinishedAt: at.UTC()})
	rep := s.streams.Call(s.streams.Background, call.Call{
		Op:      call.OpContainerExited,
		Version: apiversion.Max,
		Vars:    map[string]string{"id": containerID},
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    body,
	})
	if rep.Status >= 400 {
		s.cfg.Log.Error("recording container exit failed", "container", containerID, "code", code, "status", rep.Status, "message", call.ErrorMessage(rep.Body))
		return
	}
	var rec call.ExitRecorded
	if len(rep.Body) > 0 {
		if err := json.Unmarshal(rep.Body, &rec); err != nil {
			s.cfg.Log.Error("the function's answer to an exit report is not an ExitRecorded", "container", containerID, "err", err)
			return
		}
	}
	if rec.Recorded && rec.AutoRemove {
		s.removals.add(containerID)
	}
	if rec.Recorded && rec.Restart {
		s.restarts.add(containerID)
	}
	s.streams.ExitRecorded(containerID, rec, code)
}

// exitAcked carries out --rm or the restart policy once a container's
// streams have ended and its agent has the acknowledgement of its exit
// (so its workload has ended), then ends the waits for its removal.
func (s *Server) exitAcked(containerID string) {
	if s.restarts.take(containerID) {
		rep := s.afterExit(call.OpContainerRestartByPolicy, containerID)
		if rep.Status >= 400 {
			s.cfg.Log.Error("restarting a container by its policy failed", "container", containerID, "status", rep.Status, "message", call.ErrorMessage(rep.Body))
		}
		if rep.Stream != nil && len(rep.Stream.Binds) > 0 {
			s.streams.CopyIn(rep.Stream.Container, rep.Stream.Binds)
		}
		return
	}
	if !s.removals.take(containerID) {
		return
	}
	rep := s.afterExit(call.OpContainerAutoRemove, containerID)
	if rep.Status >= 400 {
		s.cfg.Log.Error("removing a --rm container failed", "container", containerID, "status", rep.Status, "message", call.ErrorMessage(rep.Body))
		s.streams.Nudge() // its waits ask the function, which removes it when overdue
		return
	}
	var done call.AutoRemoved
	if err := json.Unmarshal(rep.Body, &done); err != nil {
		s.cfg.Log.Error("the function's answer to a removal is not an AutoRemoved", "container", containerID, "err", err)
		s.streams.Nudge()
		return
	}
	if done.Removed {
		s.streams.Removed(containerID, done.ExitCode)
	} else {
		s.streams.Nudge()
	}
}

// copyBackWait bounds copying a container's read-write binds back at
// its exit, which holds up the exit's recording.
const copyBackWait = 10 * time.Minute

// copyBack copies the read-write binds this edge copied into a
// container back into their sources, after main exited and before the
// exit is recorded: whoever waits for the exit finds the files there,
// as with a bind mount.
func (s *Server) copyBack(containerID string) {
	if s.cfg.Hub == nil || !s.streams.Binds.Pending(containerID) {
		return
	}
	ctx, cancel := context.WithTimeout(s.streams.Background, copyBackWait)
	defer cancel()
	sess, err := s.cfg.Hub.Session(ctx, containerID)
	if err == nil {
		err = s.streams.Binds.Out(ctx, sess, containerID)
	} else {
		s.streams.Binds.Forget(containerID)
	}
	if err != nil {
		s.cfg.Log.Error("copying bind mounts back from the container failed", "container", containerID, "err", err)
	}
}

// afterExit calls op, an internal operation on a container whose exit
// was acknowledged.
func (s *Server) afterExit(op, containerID string) call.Reply {
	return s.streams.Call(s.streams.Background, call.Call{
		Op: op, Version: apiversion.Max, Vars: map[string]string{"id": containerID},
	})
}

// reportHealth passes a healthcheck result the agent sent on to the
// function, which keeps State.Health.
func (s *Server) reportHealth(containerID string, res proto.HealthResult) {
	body, _ := json.Marshal(call.HealthReport{Start: res.Start, End: res.End, ExitCode: res.ExitCode, Output: res.Output})
	rep := s.streams.Call(s.streams.Background, call.Call{
		Op:      call.OpContainerHealth,
		Version: apiversion.Max,
		Vars:    map[string]string{"id": containerID},
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    body,
	})
	if rep.Status >= 400 && rep.Status != http.StatusNotFound {
		s.cfg.Log.Error("recording a healthcheck result failed", "container", containerID, "status", rep.Status, "message", call.ErrorMessage(rep.Body))
	}
}
