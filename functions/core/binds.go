package core

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// copiedBinds takes the bind mounts out of w when the driver cannot
// mount them and the edge copies them instead (BindCopier), holding
// main for that copy, and returns them for the start's reply. A bind's
// source is a path on the Docker client's machine, which is the edge's.
func (c *Core) copiedBinds(w *Workload) []call.Bind {
	bc, ok := c.cfg.Compute.(BindCopier)
	if !ok || !bc.CopiesBinds() {
		return nil
	}
	var binds []call.Bind
	mounts := w.Mounts[:0:0]
	for _, m := range w.Mounts {
		if m.Volume != "" {
			mounts = append(mounts, m)
			continue
		}
		binds = append(binds, call.Bind{Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	w.Mounts = mounts
	w.HoldMain = len(binds) > 0
	return binds
}

// started is the reply to a call that started container id: the edge
// answers once its agent is there, after copying binds in.
func started(id string, binds []call.Bind) call.Reply {
	return call.Reply{Status: http.StatusNoContent, Stream: &call.Stream{Kind: call.StreamStarted, Container: id, Binds: binds}}
}
