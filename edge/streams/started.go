package streams

import (
	"context"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// startedWait bounds how long a start waits for its container's agent:
// long enough for a local runtime's workload to come up under load, not
// so long that a backend whose workloads take minutes holds the client.
const startedWait = 10 * time.Second

// serveStarted answers a start once the container's main process runs
// (the hub sends the agent the start of main as it connects, and the
// agent acks it once main runs; an agent that does not ack counts as
// running once connected), main has exited, or startedWait has passed,
// whichever comes first: the start itself succeeded, so the answer is
// the function's either way. As with dockerd, whatever main writes at
// once is in its logs by the time a client that asked after the start
// reads them.
func (e *Env) serveStarted(w http.ResponseWriter, r *http.Request, rep call.Reply) {
	if e.Hub != nil {
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
	}
	done(w, rep)
}
