package streams

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/edge/reply"
	"github.com/sockerless/sockerless/functions/call"
)

// statHeader carries the stat of an archive path, as dockerd sends it.
const statHeader = "X-Docker-Container-Path-Stat"

// serveArchiveGet answers GET (tar of the path) and HEAD (stat only)
// /containers/{id}/archive.
func (e *Env) serveArchiveGet(w http.ResponseWriter, r *http.Request, rep call.Reply) {
	st := rep.Stream
	if !st.Running {
		notRunning(w, st.Container)
		return
	}
	ctx := r.Context()
	sess, err := e.session(ctx, st)
	if err != nil {
		writeSessionError(w, st, err)
		return
	}
	if st.Kind == call.StreamArchiveStat {
		stat, err := sess.ArchiveStat(ctx, st.Path)
		if err != nil {
			writeArchiveError(w, st, err)
			return
		}
		setStat(w, stat)
		w.WriteHeader(http.StatusOK)
		return
	}
	stat, tar, err := sess.ArchiveGet(ctx, st.Path)
	if err != nil {
		writeArchiveError(w, st, err)
		return
	}
	defer tar.Close()
	setStat(w, stat)
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, tar); err != nil {
		// The status is out; cutting the body short is how the client
		// learns the tar is incomplete.
		e.Log.Warn("archive transfer failed", "container", st.Container, "path", st.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// serveArchivePut extracts the request's tar (already read into c.Body)
// at the path.
func (e *Env) serveArchivePut(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
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
	noOverwrite, _ := strconv.ParseBool(c.Query.Get("noOverwriteDirNonDir"))
	if err := sess.ArchivePut(r.Context(), st.Path, bytes.NewReader(c.Body), noOverwrite); err != nil {
		writeArchiveError(w, st, err)
		return
	}
	if rep.Status == 0 {
		rep.Status = http.StatusOK
	}
	done(w, rep)
}

func setStat(w http.ResponseWriter, stat proto.PathStat) {
	raw, _ := json.Marshal(stat)
	w.Header().Set(statHeader, base64.StdEncoding.EncodeToString(raw))
}

// writeArchiveError answers a missing path with dockerd's own message.
func writeArchiveError(w http.ResponseWriter, st *call.Stream, err error) {
	if errors.Is(err, proto.ErrNotFound) {
		reply.WriteError(w, http.StatusNotFound, "Could not find the file %s in container %s", st.Path, st.Container)
		return
	}
	writeAgentError(w, st, err)
}
