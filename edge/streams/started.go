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

// serveStarted answers a start once the container's agent has connected
// (the hub sends it the start of main as it connects), main has exited,
// or startedWait has passed, whichever comes first: the start itself
// succeeded, so the answer is the function's either way.
func (e *Env) serveStarted(w http.ResponseWriter, r *http.Request, rep call.Reply) {
	if e.Hub != nil {
		ctx, cancel := context.WithTimeout(r.Context(), startedWait)
		defer cancel()
		exited := e.Hub.Exited(rep.Stream.Container)
		connected := make(chan struct{})
		go func() {
			defer close(connected)
			_, _ = e.Hub.Session(ctx, rep.Stream.Container)
		}()
		select {
		case <-connected:
		case <-exited:
		case <-ctx.Done():
		}
	}
	done(w, rep)
}
