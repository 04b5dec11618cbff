package streams

import (
	"context"
	"net/http"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// Polling intervals. The function is stateless, so following a log or
// an event feed means asking it again with the cursor it handed out;
// an agent's exit report wakes the loop early. (Waits do not poll so:
// see awaitExit.)
const (
	logsPoll   = 100 * time.Millisecond
	eventsPoll = 100 * time.Millisecond
	buildPoll  = 100 * time.Millisecond
)

// poll calls c again with the cursor of first's stream until a reply
// carries no stream, or a Done one, and returns that reply (first itself
// when it is already Done); after a reply with a body it calls at once. Each reply goes to each (nil to
// skip). wake, when it fires, triggers a call at once; it fires once
// (a closed channel), so it is dropped after. ok is false when ctx ended
// first.
func (e *Env) poll(ctx context.Context, c call.Call, first call.Reply, every time.Duration, wake <-chan struct{}, each func(call.Reply) bool) (last call.Reply, ok bool) {
	t := time.NewTicker(every)
	defer t.Stop()
	last, st := first, first.Stream
	for st != nil && !st.Done {
		// A reply that brought output may have left more (a log longer
		// than one reply): ask again at once. Otherwise wait for the
		// tick or the wake-up.
		if len(last.Body) == 0 {
			select {
			case <-ctx.Done():
				return call.Reply{}, false
			case <-wake:
				wake = nil
			case <-t.C:
			}
		}
		last = e.Call(ctx, next(c, st.Cursor))
		if ctx.Err() != nil {
			return call.Reply{}, false
		}
		if each != nil && !each(last) {
			return last, false
		}
		if last.Status >= 400 {
			return last, true
		}
		st = last.Stream
	}
	return last, true
}

// exited is the hub's exit notification for container, or nil (never
// fires) without a hub.
func (e *Env) exited(container string) <-chan struct{} {
	if e.Hub == nil || container == "" {
		return nil
	}
	return e.Hub.Exited(container)
}

// serveFollow writes the first reply's body, then keeps appending the
// bodies of follow-up calls (logs --follow, events, build) until the function
// says Done or the client leaves. Every write is flushed: a follower
// wants each line as it comes. It reports whether the stream ran to
// its end (false: the client left, or an error cut it short).
func (e *Env) serveFollow(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply, every time.Duration, wakeOnExit bool) bool {
	writeHeaderOnly(w, rep)
	if len(rep.Body) > 0 {
		if _, err := w.Write(rep.Body); err != nil {
			return false
		}
	}
	flush(w)
	var wake <-chan struct{}
	if wakeOnExit {
		wake = e.exited(rep.Stream.Container)
	}
	_, ok := e.poll(r.Context(), c, rep, every, wake, func(next call.Reply) bool {
		if next.Status >= 400 {
			// Headers are gone; the best a follower can get is the end
			// of the stream. Say why in the edge's log.
			e.Log.Warn("follow stream ended by an error", "op", c.Op, "status", next.Status, "body", string(next.Body))
			return false
		}
		if len(next.Body) > 0 {
			if _, err := w.Write(next.Body); err != nil {
				return false
			}
			flush(w)
		}
		return true
	})
	return ok
}
