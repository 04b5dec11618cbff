package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"strconv"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// containerLogs answers GET /containers/{id}/logs. Following is the
// edge's job: it calls again with the cursor until Done.
func (c *Core) containerLogs(ctx context.Context, in call.Call) (call.Reply, error) {
	q := in.Query
	stdout, stderr := truthy(q.Get("stdout")), truthy(q.Get("stderr"))
	if !stdout && !stderr {
		return call.Reply{}, invalid("Bad parameters: you must choose at least one stream")
	}
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	now := c.now()
	since, err := parseEventTime(q.Get("since"), now)
	if err != nil {
		return call.Reply{}, err
	}
	until, err := parseEventTime(q.Get("until"), now)
	if err != nil {
		return call.Reply{}, err
	}
	cursor := q.Get(call.QueryCursor)
	firstCall := cursor == ""
	// Status before reading: an exit seen here means every line is stored.
	running := rec.running()
	if !running && firstCall {
		c.awaitWorkloadEnd(ctx, rec.ID)
	}
	tail := q.Get("tail")
	tailing := firstCall && tail != "" && tail != "all"
	entries, next, drained, err := c.readLogs(ctx, rec.ID, cursor, tailing)
	if err != nil {
		return call.Reply{}, errorf(http.StatusInternalServerError, "read logs: %v", err)
	}
	var kept []LogEntry
	for _, e := range joinLines(entries) {
		if (e.Stream == 1 && !stdout) || (e.Stream == 2 && !stderr) {
			continue
		}
		if !since.IsZero() && e.Time.Before(since) {
			continue
		}
		if !until.IsZero() && e.Time.After(until) {
			continue
		}
		kept = append(kept, e)
	}
	if tailing {
		n, err := strconv.Atoi(tail)
		if err != nil || n < 0 {
			return call.Reply{}, invalid("invalid value for tail: %q", tail)
		}
		kept = tailLines(kept, n)
	}
	body := formatLogs(kept, rec.Config.Tty, truthy(q.Get("timestamps")))
	ctype := "application/vnd.docker.multiplexed-stream"
	if rec.Config.Tty {
		ctype = "application/vnd.docker.raw-stream"
	}
	// More stored than one reply carries: the edge calls again at once.
	done := drained && (!truthy(q.Get("follow")) || !running || (!until.IsZero() && now.After(until)))
	return call.Reply{
		Status: http.StatusOK, Header: http.Header{"Content-Type": {ctype}}, Body: body,
		Stream: &call.Stream{Kind: call.StreamLogs, Container: rec.ID, Cursor: next, Done: done, TTY: rec.Config.Tty},
	}, nil
}

// workloadEndWait bounds how long a read of a stopped container's log
// waits for its workload to end.
const workloadEndWait = 2 * time.Second

// awaitWorkloadEnd waits, up to workloadEndWait, until the driver no
// longer runs the workload of a container whose exit is recorded. The
// agent reports the exit before its workload ends, and a runtime may
// store the last output only then (a Docker Engine's log copier lags
// its container's pipe): dockerd's logs of a stopped container are
// complete, so these are too.
func (c *Core) awaitWorkloadEnd(ctx context.Context, id string) {
	if c.lingers() {
		return // it outlives main on purpose; its agent ended main's output at the exit
	}
	deadline := time.Now().Add(workloadEndWait)
	for {
		st, err := c.compute.Status(ctx, id)
		if err != nil || !st.Known || !st.Running || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// logBudget bounds the output one logs call returns (a remote function's
// reply is at most 6 MB); past it the edge calls again with the cursor.
const logBudget = 2 << 20

// readLogs reads the driver's pages from cursor until no more lines are
// stored (drained) or, unless all, until logBudget bytes were read.
func (c *Core) readLogs(ctx context.Context, id, cursor string, all bool) (entries []LogEntry, next string, drained bool, err error) {
	next, size := cursor, 0
	for {
		page, cur, err := c.compute.Logs(ctx, id, next)
		if err != nil {
			return nil, next, false, err
		}
		moved := cur != next
		next = cur
		if len(page) == 0 && !moved {
			return entries, next, true, nil
		}
		entries = append(entries, page...)
		for _, e := range page {
			size += len(e.Data)
		}
		if !all && size >= logBudget {
			return entries, next, false, nil
		}
	}
}

// joinLines regroups output chunks into lines, per stream, as Docker's
// log drivers store them: a process may write a line in several pieces.
// A final piece without a newline stays a partial line.
func joinLines(entries []LogEntry) []LogEntry {
	var out []LogEntry
	pending := map[int]*LogEntry{}
	for _, e := range entries {
		data := e.Data
		for len(data) > 0 {
			p := pending[e.Stream]
			if p == nil {
				p = &LogEntry{Stream: e.Stream, Time: e.Time}
				pending[e.Stream] = p
			}
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				p.Data = append(p.Data, data...)
				break
			}
			p.Data = append(p.Data, data[:i+1]...)
			out = append(out, *p)
			delete(pending, e.Stream)
			data = data[i+1:]
		}
	}
	for _, stream := range []int{1, 2} {
		if p := pending[stream]; p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// tailLines keeps the entries holding the last n lines.
func tailLines(entries []LogEntry, n int) []LogEntry {
	var lines []LogEntry
	for _, e := range entries {
		for _, l := range bytes.SplitAfter(e.Data, []byte("\n")) {
			if len(l) > 0 {
				lines = append(lines, LogEntry{Stream: e.Stream, Time: e.Time, Data: l})
			}
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// formatLogs frames entries as Docker does: raw for a TTY, stdcopy
// otherwise; with timestamps each line is prefixed.
func formatLogs(entries []LogEntry, tty, timestamps bool) []byte {
	var buf bytes.Buffer
	for _, e := range entries {
		data := e.Data
		if timestamps {
			var b []byte
			for _, l := range bytes.SplitAfter(e.Data, []byte("\n")) {
				if len(l) > 0 {
					b = append(b, e.Time.UTC().Format(time.RFC3339Nano)...)
					b = append(b, ' ')
					b = append(b, l...)
				}
			}
			data = b
		}
		switch {
		case tty:
			buf.Write(data)
		default:
			writeFrame(&buf, e.Stream, data)
		}
	}
	return buf.Bytes()
}

// writeFrame writes one stdcopy frame: stream byte, three zero bytes,
// big-endian length, payload (the api module only ships the reader).
func writeFrame(buf *bytes.Buffer, stream int, p []byte) {
	var hdr [8]byte
	hdr[0] = byte(stream)
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	buf.Write(hdr[:])
	buf.Write(p)
}
