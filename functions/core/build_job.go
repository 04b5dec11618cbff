package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// BuildJobs is offered by a Builder whose function outlives its calls,
// as local mode's in-process function does. A build then runs as a
// background job and its progress streams while it runs: the first
// call starts the job and hands the edge a build stream; the edge's
// follow-up calls read what the job wrote since their cursor.
//
// The job is the only thing held in the process. Its progress goes to
// the state store, so the calls that read it keep nothing between them
// (as logs --follow), and records expire (progressTTL) if nobody reads
// them to the end.
type BuildJobs interface {
	// GoBuild runs job in the background, under a context the backend
	// cancels on CancelBuild(id) or when it closes. The backend waits
	// for running jobs when it closes.
	GoBuild(id string, job func(ctx context.Context))
	// CancelBuild cancels job id; a job that ended is left alone.
	CancelBuild(id string)
	// BuildRunning reports whether job id is still running.
	BuildRunning(id string) bool
}

// The progress of build job <id> is stored as chunks of the JSON
// stream under keyBuildProgress<id>/<seq>, seq zero-padded so key order
// is write order, and the last chunk under .../end, which sorts after
// every seq.
const (
	keyBuildProgress = "build-progress/"
	progressEnd      = "end"
	// progressTTL lets abandoned builds' progress go; a follower reads
	// each chunk within one poll of its write.
	progressTTL = 30 * time.Minute
	// progressChunk keeps a record well under state.MaxValueBytes;
	// progressPage chunks per reply keep a reply within a remote
	// function's payload limit.
	progressChunk = 256 << 10
	progressPage  = 8
)

// startBuildJob runs the build as a job and answers with the stream the
// edge follows. run runs the build, writing its messages to out.
func (c *Core) startBuildJob(jobs BuildJobs, out *buildOutput, run func(ctx context.Context)) call.Reply {
	id := newID()
	w := &progressWriter{c: c, prefix: keyBuildProgress + id + "/"}
	out.wake = make(chan struct{}, 1)
	jobs.GoBuild(id, func(ctx context.Context) {
		stop, flushed := make(chan struct{}), make(chan struct{})
		// The writer sends what the build says as it says it; while one
		// write is under way, messages gather into the next.
		go func() {
			defer close(flushed)
			for {
				select {
				case <-out.wake:
					w.put(ctx, out.take(), false)
				case <-stop:
					return
				}
			}
		}()
		run(ctx)
		close(stop)
		<-flushed
		w.put(ctx, out.take(), true)
	})
	return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Stream: &call.Stream{Kind: call.StreamBuild, Cursor: id + "/"}}
}

// progressWriter stores one job's chunks.
type progressWriter struct {
	c      *Core
	prefix string
	seq    int
}

// put stores b as the next chunks; end marks the last. Writes outlive
// a cancelled build: its error message is progress too.
func (w *progressWriter) put(ctx context.Context, b []byte, end bool) {
	ctx = context.WithoutCancel(ctx)
	for len(b) > 0 || end {
		n := min(len(b), progressChunk)
		key := fmt.Sprintf("%s%010d", w.prefix, w.seq)
		if end && n == len(b) {
			key = w.prefix + progressEnd
		}
		if _, err := w.c.store.Put(ctx, key, b[:n], 0, progressTTL); err != nil {
			// The follower finds the job gone without an end and says so.
			w.c.cfg.Log.Error("storing build progress", "key", key, "err", err)
			return
		}
		w.seq++
		b = b[n:]
		if key == w.prefix+progressEnd {
			return
		}
	}
}

// buildProgress answers a follow-up call: what job id wrote since the
// cursor, Done once its last chunk is read. cancel stops the job (the
// client left).
func (c *Core) buildProgress(ctx context.Context, jobs BuildJobs, cursor string, cancel bool) (call.Reply, error) {
	id, after, ok := strings.Cut(cursor, "/")
	if !ok || !isHexID(id) {
		return call.Reply{}, invalid("invalid build cursor %q", cursor)
	}
	if cancel {
		jobs.CancelBuild(id)
		return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Stream: &call.Stream{Kind: call.StreamBuild, Cursor: cursor, Done: true}}, nil
	}
	// Asked before reading: a job writes its end before it stops
	// running, so a job seen stopped has every chunk stored.
	running := jobs.BuildRunning(id)
	prefix := keyBuildProgress + id + "/"
	recs, more, err := c.store.List(ctx, prefix, prefix+after, progressPage)
	if err != nil {
		return call.Reply{}, errorf(http.StatusInternalServerError, "read build progress: %v", err)
	}
	var body []byte
	ended := false
	for _, r := range recs {
		body = append(body, r.Value...)
		after = strings.TrimPrefix(r.Key, prefix)
		ended = after == progressEnd
	}
	if !ended && more == "" && !running {
		out := newBuildOutput(false)
		out.fail(errors.New("the build stopped without finishing: the function running it restarted, or its progress expired"))
		body, ended = append(body, out.take()...), true
	}
	return call.Reply{
		Status: http.StatusOK, Header: jsonHeader(), Body: body,
		Stream: &call.Stream{Kind: call.StreamBuild, Cursor: id + "/" + after, Done: ended && more == ""},
	}, nil
}

func isHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
