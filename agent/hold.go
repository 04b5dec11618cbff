package agent

import (
	"fmt"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// holdTimeout bounds how long a held main waits for the edge's release:
// an edge that died while copying, or a start no edge carried (a
// restart the control plane did on its own), must not leave the
// workload idle for ever.
const holdTimeout = 10 * time.Minute

// hold is a main process held until the edge releases it
// (Config.HoldMain): the edge copies the workload's bind-mount sources
// in first, through archive requests, which the agent serves before
// main starts.
type hold struct {
	held     bool   // main waits for a release
	asked    bool   // the edge's start frame arrived
	refused  string // the release's reason not to start main
	released bool
	timer    *time.Timer
}

// armHold starts holding main, if the config says so. Called before
// any connection.
func (a *agent) armHold() {
	if !a.cfg.HoldMain {
		return
	}
	a.hold.held = true
	a.hold.timer = time.AfterFunc(holdTimeout, func() {
		a.release(fmt.Sprintf("the edge did not release the main process within %v: its bind mounts were never copied in", holdTimeout))
	})
}

// disarmHold ends the hold when Run returns: a release that never came
// must not start main later.
func (a *agent) disarmHold() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.hold.timer != nil {
		a.hold.timer.Stop()
	}
	a.hold.released = true
}

// mayStartLocked reports whether main may start now; otherwise it notes
// that the edge asked, for the release to start it. a.mu is held.
func (a *agent) mayStartLocked() bool {
	if a.hold.held && !a.hold.released {
		a.hold.asked = true
		return false
	}
	return true
}

// release lets main start (or fail with refused, when not empty). A
// second release is a repeat and changes nothing.
func (a *agent) release(refused string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.hold.held || a.hold.released {
		return
	}
	a.hold.released, a.hold.refused = true, refused
	a.hold.timer.Stop()
	if a.hold.asked && a.state == proto.MainCreated {
		a.state = proto.MainRunning
		go a.runMain()
	}
}

func (a *agent) serveRelease(ch *proto.Channel, open proto.Open) error {
	a.release(open.Refused)
	return ch.Send(proto.TypeAck, nil)
}
