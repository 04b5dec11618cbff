package streams

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/agent/signals"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// killGrace bounds the wait for an exit after SIGKILL through the agent;
// past it the compute driver is asked to stop the workload.
const killGrace = 10 * time.Second

// serveSignal delivers a signal (POST /containers/{id}/kill) through the
// agent. When the agent is gone, the function is asked again with
// force-driver=1 and stops the workload through the compute driver.
func (e *Env) serveSignal(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
	sig, ok := parseSignal(w, st, "KILL")
	if !ok {
		return
	}
	if !st.Running {
		notRunning(w, st.Container)
		return
	}
	ctx := r.Context()
	sess, err := e.session(ctx, st)
	if errors.Is(err, errAgentGone) {
		reply.Write(w, e.forceKill(ctx, c, st, strconv.Itoa(int(sig))))
		return
	}
	if err != nil {
		writeSessionError(w, st, err)
		return
	}
	if err := sess.Signal(ctx, st.Exec, sig); err != nil {
		writeAgentError(w, st, err)
		return
	}
	done(w, rep)
}

// parseSignal reads the stream's signal (def when the client named
// none), answering 400 for one Docker does not know.
func parseSignal(w http.ResponseWriter, st *call.Stream, def string) (syscall.Signal, bool) {
	sig, err := signals.Parse(cmp.Or(st.Signal, def))
	if err != nil {
		reply.WriteError(w, http.StatusBadRequest, "%s", err)
		return 0, false
	}
	return sig, true
}

// forceKill asks the function to stop the workload through its compute
// driver, for when no agent answers.
func (e *Env) forceKill(ctx context.Context, c call.Call, st *call.Stream, signal string) call.Reply {
	kc := call.Call{
		Op:      call.OpContainerKill,
		Version: c.Version,
		Vars:    map[string]string{"name": st.Container},
		Query:   map[string][]string{call.QueryForceDriver: {"1"}, "signal": {signal}},
	}
	rep := e.Call(ctx, kc)
	if rep.Status < 300 {
		e.Nudge() // the function recorded the exit itself
	}
	if rep.Stream != nil {
		return reply.ErrorReply(http.StatusInternalServerError, "the function answered a forced kill of %s with another %s stream", st.Container, rep.Stream.Kind)
	}
	return rep
}

// serveStop runs POST /containers/{id}/stop and /restart: the stop
// signal, up to Timeout seconds for the exit (-1: no limit), SIGKILL,
// then, unless the agent's exit report already recorded it, a wait
// until the function has, so a client that inspects right after sees
// the container stopped. A restart then asks the function again, which
// starts the stopped container.
func (e *Env) serveStop(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
	sig, ok := parseSignal(w, st, "TERM")
	if !ok {
		return
	}
	ctx := r.Context()
	heard := false
	if st.Running {
		var fail *call.Reply
		if heard, fail = e.stop(ctx, c, st, sig); fail != nil {
			reply.Write(w, *fail)
			return
		}
	}
	if !heard {
		if wr, ok := e.waitRecorded(ctx, c, st); !ok {
			return
		} else if wr.Status >= 400 {
			reply.Write(w, wr)
			return
		}
	}
	if c.Op == call.OpContainerRestart {
		// The container is stopped, so the function starts it. (A reply
		// with another stream means someone started it meanwhile.)
		again := e.Call(ctx, c)
		if again.Status >= 400 || again.Stream == nil {
			done(w, again)
			return
		}
		if again.Stream.Kind == call.StreamStarted {
			e.serveStarted(w, r, again) // binds to copy in
			return
		}
	}
	done(w, rep)
}

// stop signals the main process and escalates. heard says the agent's
// exit report ended it and the function recorded that exit; fail is a
// reply to send instead of success when it could not be stopped.
func (e *Env) stop(ctx context.Context, c call.Call, st *call.Stream, sig syscall.Signal) (heard bool, fail *call.Reply) {
	before := e.exits.recordedStart(st.Container)
	exited := e.exited(st.Container)
	defer func() { heard = heard && e.exits.recordedStart(st.Container) > before }()
	sess, err := e.session(ctx, st)
	if errors.Is(err, errAgentGone) {
		if rep := e.forceKill(ctx, c, st, "SIGKILL"); rep.Status >= 400 {
			return false, &rep
		}
		return false, nil
	}
	if err != nil {
		rep := reply.ErrorReply(http.StatusInternalServerError, "cannot stop container %s: %v", st.Container, err)
		return false, &rep
	}
	if err := sess.Signal(ctx, "", sig); err != nil && !errors.Is(err, proto.ErrNotRunning) {
		e.Log.Warn("stop signal failed; killing", "container", st.Container, "err", err)
	} else if waitClosed(ctx, exited, st.Timeout) {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, nil
	}
	if err := sess.Signal(ctx, "", syscall.SIGKILL); err == nil && waitClosed(ctx, exited, int(killGrace/time.Second)) {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, nil
	}
	e.Log.Warn("no exit after SIGKILL; stopping through the driver", "container", st.Container)
	if rep := e.forceKill(ctx, c, st, "SIGKILL"); rep.Status >= 400 {
		return false, &rep
	}
	return false, nil
}

// waitClosed waits for ch to close, up to seconds (negative: no limit).
func waitClosed(ctx context.Context, ch <-chan struct{}, seconds int) bool {
	var timeout <-chan time.Time
	if seconds >= 0 {
		t := time.NewTimer(time.Duration(seconds) * time.Second)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ch:
		return true
	case <-timeout:
		return false
	case <-ctx.Done():
		return false
	}
}

// waitRecorded asks the function to wait for condition=not-running, so
// the exit is in the store before the client hears the stop succeeded.
func (e *Env) waitRecorded(ctx context.Context, c call.Call, st *call.Stream) (call.Reply, bool) {
	wc := call.Call{
		Op:      call.OpContainerWait,
		Version: c.Version,
		Vars:    map[string]string{"name": st.Container},
		Query:   map[string][]string{"condition": {"not-running"}},
	}
	armed := e.armNudge()
	return e.awaitExit(ctx, wc, e.Call(ctx, wc), armed)
}
