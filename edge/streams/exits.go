package streams

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/functions/call"
)

// safetyPoll is how often a wait or an attachment asks the function
// about an exit this edge has not heard of: one whose agent vanished,
// or whose agent is connected to another edge. Exits reported by this
// edge's agents end them at once, without asking.
const safetyPoll = 2 * time.Second

// newsTTL is how long the board remembers a container's last exit. The
// board closes the gap between a function's answer and the edge's
// watch, which is one call long; a minute is plenty.
const newsTTL = time.Minute

// exitBoard holds what this edge heard, recently, of its containers'
// exits (from their agents, once the function recorded them) and
// removals, for the waits and attachments that end with them.
type exitBoard struct {
	mu    sync.Mutex
	news  map[string]*exitNews
	nudge chan struct{} // closed and replaced by Nudge
}

// exitNews is one container's latest exit.
type exitNews struct {
	starts   int // the start number whose exit was recorded
	code     int
	removed  bool
	at       time.Time
	change   chan struct{} // closed and replaced at each change
	watchers int           // an entry being watched is kept
}

// watch returns a copy of the container's news, a channel closed at
// its next change, and one closed at the next Nudge. Call release when
// done watching.
func (b *exitBoard) watch(id string) (snap exitNews, change, nudge <-chan struct{}, release func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.entryLocked(id)
	n.watchers++
	return *n, n.change, b.nudgeLocked(), func() {
		b.mu.Lock()
		n.watchers--
		n.at = time.Now()
		b.mu.Unlock()
	}
}

// recordedStart is the start number of the container's last exit this
// edge reported and the function recorded (0: none it remembers).
func (b *exitBoard) recordedStart(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n, ok := b.news[id]; ok {
		return n.starts
	}
	return 0
}

func (b *exitBoard) entryLocked(id string) *exitNews {
	if b.news == nil {
		b.news = map[string]*exitNews{}
	}
	n, ok := b.news[id]
	if !ok {
		n = &exitNews{change: make(chan struct{}), at: time.Now()}
		b.news[id] = n
	}
	return n
}

func (b *exitBoard) nudgeLocked() chan struct{} {
	if b.nudge == nil {
		b.nudge = make(chan struct{})
	}
	return b.nudge
}

// publish applies fn to the container's news and wakes its watchers.
func (b *exitBoard) publish(id string, fn func(*exitNews)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	for k, n := range b.news {
		if n.watchers == 0 && now.Sub(n.at) > newsTTL {
			delete(b.news, k)
		}
	}
	n := b.entryLocked(id)
	fn(n)
	n.at = now
	close(n.change)
	n.change = make(chan struct{})
}

// ExitRecorded tells the edge's waits and attachments of container that
// the function recorded the exit of start rec.Starts with code.
func (e *Env) ExitRecorded(containerID string, rec call.ExitRecorded, code int) {
	if !rec.Recorded {
		return
	}
	e.exits.publish(containerID, func(n *exitNews) {
		if rec.Starts > n.starts {
			n.starts, n.code = rec.Starts, code
		}
	})
}

// Removed tells the edge's waits that container is gone; code is its
// last exit code.
func (e *Env) Removed(containerID string, code int) {
	e.exits.publish(containerID, func(n *exitNews) {
		n.removed, n.code = true, code
	})
}

// Nudge makes every wait ask the function again at once: a call may
// have ended or removed a container without any agent's report (a
// failed start, docker rm, a kill through the driver).
func (e *Env) Nudge() {
	b := &e.exits
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.nudgeLocked())
	b.nudge = make(chan struct{})
}

// armNudge returns the channel the next Nudge closes. A wait takes it
// before the call whose answer it starts from: a Nudge between that
// answer and the wait's first look at the board is not lost.
func (e *Env) armNudge() <-chan struct{} {
	b := &e.exits
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nudgeLocked()
}

// NudgeAfter nudges the waits after a call that may have ended or
// removed a container without an agent: a failed start (--rm removes
// the container at once), a removal or a prune.
func (e *Env) NudgeAfter(c call.Call, rep call.Reply) {
	switch {
	case c.Op == call.OpContainerStart && rep.Status >= 400,
		c.Op == call.OpContainerRemove && rep.Status < 300,
		c.Op == call.OpContainerPrune && rep.Status < 300:
		e.Nudge()
	}
}

// ends reports whether n ends the wait st, and with which answer.
func (n exitNews) ends(st *call.Stream) (call.Reply, bool) {
	heard := n.removed
	if st.ExitOf > 0 && n.starts >= st.ExitOf {
		heard = true
	}
	if !heard {
		return call.Reply{}, false
	}
	body, _ := json.Marshal(container.WaitResponse{StatusCode: int64(n.code)})
	return call.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, true
}

// awaitExit finishes a wait stream rep, the answer to c: it ends with
// the exit or removal this edge hears of, and asks the function again
// (with the stream's cursor) only when nudged or every safetyPoll. It
// returns the final reply; ok is false when ctx ended first.
func (e *Env) awaitExit(ctx context.Context, c call.Call, rep call.Reply, armed <-chan struct{}) (last call.Reply, ok bool) {
	t := time.NewTicker(safetyPoll)
	defer t.Stop()
	for rep.Stream != nil && !rep.Stream.Done && rep.Status < 400 {
		st := rep.Stream
		news, change, nudge, release := e.exits.watch(st.Container)
		if armed != nil {
			nudge, armed = armed, nil
		}
		if heard, ok := news.ends(st); ok {
			release()
			return heard, true
		}
		var changed bool
		select {
		case <-ctx.Done():
		case <-change:
			changed = true
		case <-nudge:
		case <-t.C:
		}
		release()
		if ctx.Err() != nil {
			return call.Reply{}, false
		}
		if changed {
			continue
		}
		rep = e.Call(ctx, next(c, st.Cursor))
		if ctx.Err() != nil {
			return call.Reply{}, false
		}
	}
	return rep, true
}
