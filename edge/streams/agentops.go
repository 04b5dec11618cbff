package streams

import (
	"encoding/json"
	"net/http"

	"github.com/moby/moby/api/types/container"

	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// serveResize sets the TTY size of the main process or of an exec.
func (e *Env) serveResize(w http.ResponseWriter, r *http.Request, rep call.Reply) {
	st := rep.Stream
	if !st.Running {
		notRunning(w, st.Container)
		return
	}
	sess, err := e.session(r.Context(), st)
	if err != nil {
		writeSessionError(w, st, err)
		return
	}
	if err := sess.Resize(r.Context(), st.Exec, st.Height, st.Width); err != nil {
		writeAgentError(w, st, err)
		return
	}
	if rep.Status == 0 {
		rep.Status = http.StatusOK
	}
	done(w, rep)
}

// serveTop lists the container's processes.
func (e *Env) serveTop(w http.ResponseWriter, r *http.Request, rep call.Reply) {
	st := rep.Stream
	if !st.Running {
		notRunning(w, st.Container)
		return
	}
	sess, err := e.session(r.Context(), st)
	if err != nil {
		writeSessionError(w, st, err)
		return
	}
	titles, procs, err := sess.Top(r.Context(), st.PSArgs)
	if err != nil {
		writeAgentError(w, st, err)
		return
	}
	if procs == nil {
		procs = [][]string{}
	}
	body, _ := json.Marshal(container.TopResponse{Titles: titles, Processes: procs})
	reply.Write(w, call.Reply{
		Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	})
}
