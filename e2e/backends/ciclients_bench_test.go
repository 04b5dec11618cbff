package backends

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/clients"
	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/clouds"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/edge/gateway"
	"github.com/sockerless/sockerless/functions/call"
)

// ciGoal is the bar for a CI client's job on a cloud backend.
const ciGoal = 30 * time.Second

// BenchmarkCIClients times the client suite's act CI workflow and
// gitlab-ci-local pipeline on every cloud backend (where they apply),
// through an edge in this process that times every call of the
// control-plane function, and splits each run's wall time into the
// function's (some call in flight), the compute's (a workload's process
// at work, no call in flight) and the rest: the edge and the client
// tool itself. It checks the edge's log reports as many calls.
func BenchmarkCIClients(b *testing.B) {
	for _, c := range clouds.All {
		b.Run(c.Name(), func(b *testing.B) { benchCIClients(b, c) })
	}
}

func benchCIClients(b *testing.B, c cloud.Cloud) {
	d, _, _ := cloud.Start(b, c)
	imgs := pushCIImages(b, d)
	for _, backend := range c.Backends() {
		b.Run(backend, func(b *testing.B) {
			rec := &spans{h: d.Handler(backend)}
			logged := &logCount{}
			e := edgeIn(b, backend, rec, logged)
			tools := []struct {
				name string
				run  func() (wall time.Duration, failed string)
			}{
				{"act", func() (time.Duration, string) {
					bin, err := clients.FindAct()
					if err != nil {
						b.Skip(err)
					}
					r, w := runActCI(b, bin, e, imgs.job)
					_, failed, problems := r.Check(w.Steps)
					if failed > 0 || r.Code != 0 {
						return r.Wall, strings.Join(append(problems, tailLines(r.Other, 10)...), "\n")
					}
					return r.Wall, ""
				}},
				{"gitlab-ci-local", func() (time.Duration, string) {
					g, err := clients.FindGitlabCILocal()
					if err != nil {
						b.Skip(err)
					}
					r, jobs := runGitlabCI(b, g, e, backend, imgs)
					_, failed, problems := r.Check(jobs)
					if failed > 0 || r.Code != 0 {
						return r.Wall, strings.Join(append(problems, tailLines(strings.Split(r.Output, "\n"), 10)...), "\n")
					}
					return r.Wall, ""
				}},
			}
			for _, tool := range tools {
				b.Run(tool.name, func(b *testing.B) {
					if na, ok := ciNotApplicable[[2]string{tool.name, backend}]; ok {
						fmt.Printf("%s on %s: not timed, not applicable: %s\n", tool.name, backend, na.why)
						b.Skip(na.why)
					}
					for range b.N {
						rec.reset()
						logged.reset()
						wall, failed := tool.run()
						end := time.Now()
						if failed != "" {
							b.Fatalf("%s on %s failed:\n%s", tool.name, backend, failed)
						}
						// The tool's own run, not the pulls before it.
						fn, compute := rec.split(end.Add(-wall), end)
						b.ReportMetric(wall.Seconds(), "s/run")
						b.ReportMetric(fn.Seconds(), "s-function")
						b.ReportMetric(compute.Seconds(), "s-compute")
						b.ReportMetric((wall - fn - compute).Seconds(), "s-edge+client")
						n := rec.count()
						if got := logged.await(n); got != n {
							b.Errorf("the edge's log reports %d calls of the function, the recorder counted %d", got, n)
						}
						verdict := "within"
						if wall > ciGoal {
							verdict = "over"
						}
						fmt.Printf("%s CI job on %s: %.1f s (goal ≤ %.0f s: %s) = edge and %s %.1f s + function %.1f s + compute %.1f s; %d %ss, the longest ops (calls, summed time): %s\n",
							tool.name, backend, wall.Seconds(), ciGoal.Seconds(), verdict, tool.name, (wall - fn - compute).Seconds(), fn.Seconds(), compute.Seconds(), n, c.Invoke(), rec.longestOps(5))
					}
				})
			}
		})
	}
}

// edgeIn starts an edge in this process in front of h, with its log
// read by logged, until b ends, and returns the engine it serves.
func edgeIn(b *testing.B, backend string, h call.Handler, logged *logCount) *harness.Engine {
	b.Helper()
	gw, err := gateway.Start(h, gateway.Options{Socket: filepath.Join(b.TempDir(), "docker.sock"), SendAgentURL: true,
		Log: slog.New(slog.NewJSONHandler(logged, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { gw.Close(context.Background()) })
	e, err := harness.Attach("edge-"+backend, gw.DockerHost)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// spans is a call.Handler that records every call it passes on, with
// the exec or container it is about, to split a run's time.
type spans struct {
	h     call.Handler
	mu    sync.Mutex
	calls []span
}

type span struct {
	op, id     string
	start, end time.Time
}

func (s *spans) Handle(ctx context.Context, c call.Call) call.Reply {
	start := time.Now()
	rep := s.h.Handle(ctx, c)
	id := c.Var("id")
	if id == "" {
		id = c.Var("name")
	}
	s.mu.Lock()
	s.calls = append(s.calls, span{c.Op, id, start, time.Now()})
	s.mu.Unlock()
	return rep
}

func (s *spans) reset() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

func (s *spans) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// longestOps names the n ops whose calls took the most time in all.
func (s *spans) longestOps(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	total, count := map[string]time.Duration{}, map[string]int{}
	for _, c := range s.calls {
		total[c.op] += c.end.Sub(c.start)
		count[c.op]++
	}
	ops := make([]string, 0, len(total))
	for op := range total {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return total[ops[i]] > total[ops[j]] })
	var parts []string
	for _, op := range ops[:min(n, len(ops))] {
		parts = append(parts, fmt.Sprintf("%s %d %.1f s", op, count[op], total[op].Seconds()))
	}
	return strings.Join(parts, ", ")
}

// split is the time some function call was in flight, and the time a
// workload's process was at work with none in flight: an exec from its
// start's reply to its exit report, and a container's main process from
// its start's reply to its exit report unless the container was exec'd
// into (act's job containers idle in `tail -f` between steps).
//
// Only what falls between from and to counts.
func (s *spans) split(from, to time.Time) (fn, compute time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var calls, work []interval
	started := map[string]time.Time{}
	execd := map[string]bool{}
	for _, c := range s.calls {
		calls = append(calls, interval{c.start, c.end})
		if c.op == call.OpExecCreate {
			execd[c.id] = true
		}
	}
	for _, c := range s.calls {
		switch c.op {
		case call.OpExecStart, call.OpContainerStart:
			started[c.op+c.id] = c.end
		case call.OpExecExited:
			if at, ok := started[call.OpExecStart+c.id]; ok {
				work = append(work, interval{at, c.start})
			}
		case call.OpContainerExited:
			if at, ok := started[call.OpContainerStart+c.id]; ok && !execd[c.id] {
				work = append(work, interval{at, c.start})
			}
		}
	}
	fn = length(union(clip(calls, from, to)))
	compute = length(union(clip(append(work, calls...), from, to))) - fn
	return fn, compute
}

// clip cuts the intervals to [from, to].
func clip(in []interval, from, to time.Time) []interval {
	out := make([]interval, 0, len(in))
	for _, iv := range in {
		if iv.from.Before(from) {
			iv.from = from
		}
		if iv.to.After(to) {
			iv.to = to
		}
		out = append(out, iv)
	}
	return out
}

type interval struct{ from, to time.Time }

// union merges overlapping intervals.
func union(in []interval) []interval {
	sort.Slice(in, func(i, j int) bool { return in[i].from.Before(in[j].from) })
	var out []interval
	for _, iv := range in {
		if !iv.to.After(iv.from) {
			continue
		}
		if n := len(out); n > 0 && !iv.from.After(out[n-1].to) {
			if iv.to.After(out[n-1].to) {
				out[n-1].to = iv.to
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func length(ivs []interval) time.Duration {
	var d time.Duration
	for _, iv := range ivs {
		d += iv.to.Sub(iv.from)
	}
	return d
}
