package backends

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/clouds"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/call"
)

// benchRuns is how many timed `docker run --rm IMG true` each backend gets.
const benchRuns = 20

// BenchmarkRunRmTrue times `docker run --rm IMG true` through the docker
// CLI, the edge, the call of the control-plane function (Lambda Invoke
// on AWS) and the backend's compute on every registered cloud's
// simulator, and splits each run's time into the function's share
// (every call's round trip), the compute's (from the start call's reply
// to the agent's exit report, less the function calls in between) and
// the rest: the edge and the CLI. It also counts the calls of the
// control-plane function each run takes, and checks that the edge's own
// log lines report the same count.
func BenchmarkRunRmTrue(b *testing.B) {
	for _, c := range clouds.All {
		b.Run(c.Name(), func(b *testing.B) { benchCloud(b, c) })
	}
}

func benchCloud(b *testing.B, c cloud.Cloud) {
	d, img, _ := cloud.Start(b, c)
	for _, backend := range c.Backends() {
		b.Run(backend, func(b *testing.B) {
			rec := &recorder{h: d.Handler(backend)}
			logged := &logCount{}
			e := edgeIn(b, backend, rec, logged)
			args := []string{"run", "--rm", "--entrypoint", "true", img}
			if r := e.Docker("pull", img); r.Code != 0 {
				b.Fatalf("pull: %s", r.Stderr)
			}
			for range 2 { // warm the function's instance and the image
				if r := e.Docker(args...); r.Code != 0 {
					b.Fatalf("warm-up run: %s", r.Stderr)
				}
			}
			var total, fn, compute []time.Duration
			var invokes []int
			for range b.N {
				for range benchRuns {
					rec.reset()
					logged.reset()
					start := time.Now()
					if r := e.Docker(args...); r.Code != 0 {
						b.Fatalf("docker %v: exit %d: %s", args, r.Code, r.Stderr)
					}
					t := time.Since(start)
					f, cp := rec.shares()
					total, fn, compute = append(total, t), append(fn, f), append(compute, cp)
					invokes = append(invokes, rec.count())
					if n := logged.await(rec.count()); n != rec.count() {
						b.Errorf("the edge's log reports %d calls of the function for the run, the recorder counted %d", n, rec.count())
					}
				}
			}
			mt, mf, mc := harness.Median(total), harness.Median(fn), harness.Median(compute)
			b.ReportMetric(ms(mt), "ms/run-median")
			b.ReportMetric(ms(mf), "ms-function")
			b.ReportMetric(ms(mc), "ms-compute")
			b.ReportMetric(ms(mt-mf-mc), "ms-edge+cli")
			slices.Sort(invokes)
			b.ReportMetric(float64(invokes[len(invokes)/2]), "invokes/run-median")
			fmt.Printf("docker run --rm true on %s (median of %d): %.1f ms = function %.1f ms + compute %.1f ms + edge and CLI %.1f ms; %ss per run, as the edge's log reports them: median %d, min %d, max %d\n",
				backend, len(total), ms(mt), ms(mf), ms(mc), ms(mt-mf-mc), c.Invoke(), invokes[len(invokes)/2], invokes[0], invokes[len(invokes)-1])
			fmt.Printf("Invokes of the last run on %s by op: %v\n", backend, rec.byOp())
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recorder is a call.Handler that times every call it passes on.
type recorder struct {
	h     call.Handler
	mu    sync.Mutex
	calls []timedCall
}

type timedCall struct {
	op         string
	start, end time.Time
}

func (r *recorder) Handle(ctx context.Context, c call.Call) call.Reply {
	start := time.Now()
	rep := r.h.Handle(ctx, c)
	r.mu.Lock()
	r.calls = append(r.calls, timedCall{c.Op, start, time.Now()})
	r.mu.Unlock()
	return rep
}

// count is how many calls (Lambda Invokes on AWS) the run made.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// byOp is how many calls of each op the run made.
func (r *recorder) byOp() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]int{}
	for _, c := range r.calls {
		m[c.op]++
	}
	return m
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

// shares is the run's time in the function (every call) and in the
// compute (start's reply to the exit report, less calls in between).
func (r *recorder) shares() (fn, compute time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var started, exited time.Time
	for _, c := range r.calls {
		fn += c.end.Sub(c.start)
		switch c.op {
		case call.OpContainerStart:
			started = c.end
		case call.OpContainerExited:
			if exited.IsZero() {
				exited = c.start
			}
		}
	}
	if started.IsZero() || exited.Before(started) {
		return fn, 0
	}
	compute = exited.Sub(started)
	for _, c := range r.calls {
		if c.start.After(started) && c.end.Before(exited) {
			compute -= c.end.Sub(c.start)
		}
	}
	return fn, compute
}
