package wasm

import (
	"context"
	"io"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// How a running module ends when its context is cancelled (docker stop,
// kill, a timeout). wazero's own way, WithCloseOnContextDone, calls a
// check at every loop header; Go's wasm code has a loop in every
// function, and the check made the utilities six times slower. Instead
// the module is stopped at its next call to the host: every clock read
// (Go's runtime reads it while it allocates and schedules), sleep,
// stream read or write, file operation through the host module, and the
// "alive" call the interpreters that can loop without any of those (awk,
// sed) make every few thousand steps. Stopping is a panic with an exit
// error, which wazero turns into the module's exit.

// stopIfDone ends the calling module when ctx is done.
func stopIfDone(ctx context.Context) {
	if ctx.Err() != nil {
		panic(sys.NewExitError(ExitKilled))
	}
}

// hostAlive answers alive(): nothing, unless the process must stop.
func hostAlive(ctx context.Context, _ api.Module, _ []uint64) { stopIfDone(ctx) }

// sleeper is the module's nanosleep (Go's runtime sleeps in poll_oneoff
// when all its goroutines wait); a cancelled ctx wakes it and ends the
// module.
func sleeper(ctx context.Context) sys.Nanosleep {
	return func(ns int64) {
		t := time.NewTimer(time.Duration(ns))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		stopIfDone(ctx)
	}
}

// clocks are the module's wall and monotonic clocks, checking ctx on
// every read.
func clocks(ctx context.Context) (sys.Walltime, sys.Nanotime) {
	base := time.Now()
	wall := func() (int64, int32) {
		stopIfDone(ctx)
		t := time.Now()
		return t.Unix(), int32(t.Nanosecond())
	}
	mono := func() int64 {
		stopIfDone(ctx)
		return int64(time.Since(base))
	}
	return wall, mono
}

// guardedReader and guardedWriter check ctx before each stream call.
type guardedReader struct {
	ctx context.Context
	r   io.Reader
}

func (g guardedReader) Read(p []byte) (int, error) {
	stopIfDone(g.ctx)
	return g.r.Read(p)
}

type guardedWriter struct {
	ctx context.Context
	w   io.Writer
}

func (g guardedWriter) Write(p []byte) (int, error) {
	stopIfDone(g.ctx)
	return g.w.Write(p)
}

func guardWriter(ctx context.Context, w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return guardedWriter{ctx: ctx, w: w}
}
