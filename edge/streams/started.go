package streams

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/edge/binds"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// startedWait bounds how long a start waits for its container's agent:
// long enough for a local runtime's workload to come up under load, not
// so long that a backend whose workloads take minutes holds the client.
const startedWait = 10 * time.Second

// copyWait bounds how long a start whose binds the edge copies waits for
// the agent and the copy (a cloud's workload takes seconds to come up,
// a large tree longer): the copy goes on past it, the answer does not
// wait longer.
const copyWait = 2 * time.Minute

// serveStarted answers a start once the container's main process runs
// (the hub sends the agent the start of main as it connects, and the
// agent acks it once main runs; an agent that does not ack counts as
// running once connected), main has exited, or startedWait has passed,
// whichever comes first: the start itself succeeded, so the answer is
// the function's either way. As with dockerd, whatever main writes at
// once is in its logs by the time a client that asked after the start
// reads them. With binds to copy, it answers once they are in and main
// released, or with the reason they could not be (main then fails with
// it).
func (e *Env) serveStarted(w http.ResponseWriter, r *http.Request, rep call.Reply) {
	if e.Hub == nil {
		done(w, rep)
		return
	}
	if len(rep.Stream.Binds) > 0 {
		if err := e.awaitCopyIn(r.Context(), rep.Stream); err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, binds.ErrInvalid) {
				status = http.StatusBadRequest
			}
			reply.WriteError(w, status, "%s", err)
			return
		}
		done(w, rep)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), startedWait)
	defer cancel()
	exited := e.Hub.Exited(rep.Stream.Container)
	running := make(chan struct{})
	go func() {
		defer close(running)
		s, err := e.Hub.Session(ctx, rep.Stream.Container)
		if err != nil {
			return
		}
		select {
		case <-s.Running():
		case <-s.Done():
		case <-ctx.Done():
		}
	}()
	select {
	case <-running:
	case <-exited:
	case <-ctx.Done():
	}
	done(w, rep)
}

// awaitCopyIn copies st's binds into its container once its agent is
// there, then releases main, and returns the copy's error. The copy
// runs under Background: a client that leaves, or copyWait, ends the
// waiting, not the copy.
func (e *Env) awaitCopyIn(ctx context.Context, st *call.Stream) error {
	result := e.CopyIn(st.Container, st.Binds)
	t := time.NewTimer(copyWait)
	defer t.Stop()
	select {
	case err := <-result:
		return err
	case <-t.C:
		return nil
	case <-ctx.Done():
		return nil
	}
}

// CopyIn copies binds into container's workload once its agent
// connects, in the background, and releases its main process; the
// channel gets the outcome. A start the edge did not answer itself (a
// restart by policy) calls it too.
func (e *Env) CopyIn(container string, bs []call.Bind) <-chan error {
	result := make(chan error, 1)
	// A refused source is known before the workload is up: the answer
	// need not wait for it. The agent still gets the refusal.
	refused := e.Binds.Check(bs)
	if refused != nil {
		result <- refused
	}
	go func() {
		ctx, cancel := context.WithTimeout(e.Background, agentHold)
		defer cancel()
		sess, err := e.Hub.Session(ctx, container)
		if err == nil {
			err = e.Binds.In(ctx, sess, container, bs)
		}
		if err != nil {
			e.Log.Warn("copying bind mounts into the container failed", "container", container, "err", err)
		}
		if refused == nil {
			result <- err
		}
	}()
	return result
}

// agentHold is how long the agent holds main for the copy (the agent's
// holdTimeout): past it, there is nobody to copy to.
const agentHold = 10 * time.Minute
