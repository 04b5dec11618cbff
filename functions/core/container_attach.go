package core

import (
	"context"
	"net/http"
	"strings"

	"github.com/sockerless/sockerless/functions/call"
)

// defaultDetachKeys is Docker's detach sequence, ctrl-p ctrl-q.
const defaultDetachKeys = "ctrl-p,ctrl-q"

// containerAttach answers POST /containers/{id}/attach. With logs=1 the
// reply's body is the output stored so far, framed as the stream is;
// without stream=1 that is all, and the edge ends the exchange after it.
func (c *Core) containerAttach(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	q := in.Query
	logs, stream := truthy(q.Get("logs")), truthy(q.Get("stream"))
	if !stream && !logs {
		return call.Reply{}, invalid("Bad parameters: you must choose at least one stream")
	}
	if rec.State.Status != "created" && !rec.running() && !logs {
		return call.Reply{}, conflict("You cannot attach to a stopped container, start it first")
	}
	keys, err := detachKeys(q.Get("detachKeys"))
	if err != nil {
		return call.Reply{}, err
	}
	st := &call.Stream{
		Kind: call.StreamAttach, Container: rec.ID, TTY: rec.Config.Tty,
		Stdin:   truthy(q.Get("stdin")) && rec.Config.OpenStdin,
		Stdout:  truthy(q.Get("stdout")),
		Stderr:  truthy(q.Get("stderr")),
		Running: rec.running(),
		// The exit that ends the attachment, and the next-exit wait
		// that the edge's safety poll asks about it.
		ExitOf: exitOf(rec), Cursor: waitCursor(rec),
		Done: !stream,
	}
	// dockerd watches for the detach sequence on a TTY's input only.
	if st.Stdin && st.TTY {
		st.DetachKeys = keys
	}
	rep := call.Reply{Status: http.StatusOK, Stream: st}
	if logs {
		if !rec.running() {
			c.awaitWorkloadEnd(ctx, rec.ID)
		}
		entries, _, _, err := c.readLogs(ctx, rec.ID, "", true)
		if err != nil {
			return call.Reply{}, errorf(http.StatusInternalServerError, "read logs: %v", err)
		}
		var kept []LogEntry
		for _, e := range joinLines(entries) {
			if (e.Stream == 1 && st.Stdout) || (e.Stream == 2 && st.Stderr) {
				kept = append(kept, e)
			}
		}
		rep.Body = formatLogs(kept, rec.Config.Tty, false)
	}
	return rep, nil
}

// detachKeys reads a detach sequence as Docker does ("ctrl-p,ctrl-q":
// single characters and ctrl-@ … ctrl-_), the default when s is "".
func detachKeys(s string) ([]byte, error) {
	if s == "" {
		s = defaultDetachKeys
	}
	var keys []byte
	for _, k := range strings.Split(s, ",") {
		code, ok := detachKey(k)
		if !ok {
			return nil, invalid("Invalid detach keys (%s) provided: Unknown character: '%s'", s, k)
		}
		keys = append(keys, code)
	}
	return keys, nil
}

func detachKey(k string) (byte, bool) {
	switch {
	case len(k) == 1:
		return k[0], true
	case k == "DEL":
		return 127, true
	case len(k) == 6 && strings.HasPrefix(k, "ctrl-"):
		// ctrl-@ is 0, ctrl-a 1 … ctrl-z 26, then ctrl-[ \ ] ^ _.
		if i := strings.IndexByte("@abcdefghijklmnopqrstuvwxyz[\\]^_", k[5]); i >= 0 {
			return byte(i), true
		}
	}
	return 0, false
}
