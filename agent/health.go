package agent

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// probeGrace bounds how long a probe that ran past its timeout may take
// to die once it was killed, so one stuck probe cannot stop the next.
const probeGrace = 2 * time.Second

// probeHealth runs the healthcheck (Config.Health) inside the container
// from main's start until stop is closed (main exited), and sends each
// result home on the main channel. The probe runs where the workload
// runs, so it works the same on every backend; core, which gets the
// results through the edge, keeps State.Health. A result while no
// connection is up is dropped, as a missed probe.
func (a *agent) probeHealth(h proto.HealthSpec, started time.Time, stop <-chan struct{}) {
	for {
		wait := h.Interval
		if h.StartInterval > 0 && time.Since(started) < h.StartPeriod {
			wait = h.StartInterval
		}
		t := time.NewTimer(wait)
		select {
		case <-stop:
			t.Stop()
			return
		case <-a.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		select {
		case <-stop: // it may have closed as the timer fired
			return
		default:
		}
		res := a.probe(h)
		select {
		case <-stop:
			return // main is gone: the probe's failure says nothing
		default:
		}
		a.mu.Lock()
		cur := a.cur
		a.mu.Unlock()
		if cur != nil {
			_ = cur.SendJSON(proto.TypeHealth, res)
		}
	}
}

// probe runs the healthcheck's command once, as main's user with main's
// environment, bounded by its timeout. A probe that cannot start or
// runs too long fails with exit code -1, as with dockerd.
func (a *agent) probe(h proto.HealthSpec) proto.HealthResult {
	ctx, cancel := context.WithTimeout(a.ctx, h.Timeout)
	defer cancel()
	out := &boundedOutput{max: proto.HealthOutputMax}
	res := proto.HealthResult{Start: time.Now().UTC(), ExitCode: -1}
	spec := proto.ProcessSpec{Args: h.Args, Env: a.cfg.Main.Env, Dir: a.cfg.Main.Dir, User: a.cfg.Main.User}
	p, err := a.cfg.Runtime.Start(ctx, spec, Stdio{Stdout: out, Stderr: out})
	if err != nil {
		res.End, res.Output = time.Now().UTC(), fmt.Sprintf("starting the healthcheck %q: %v", h.Args, err)
		return res
	}
	done := make(chan int, 1)
	go func() { done <- p.Wait() }()
	select {
	case code := <-done:
		res.ExitCode, res.Output = code, out.String()
	case <-ctx.Done():
		// Cancelling ctx kills the probe (Runtime.Start's contract).
		select {
		case <-done:
		case <-time.After(probeGrace):
		}
		res.Output = fmt.Sprintf("Health check exceeded timeout (%v)", h.Timeout)
	}
	res.End = time.Now().UTC()
	return res
}

// boundedOutput keeps the first max bytes written to it, from both of
// a probe's streams.
type boundedOutput struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (o *boundedOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := o.max - len(o.b); room > 0 {
		o.b = append(o.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (o *boundedOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.b)
}
