package hub_test

import (
	"context"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/proto"
)

// slowStartRuntime is a funcRuntime whose Start returns only once the
// test releases it: a main process that takes its time to come up.
type slowStartRuntime struct {
	*funcRuntime
	release chan struct{}
}

func (r slowStartRuntime) Start(ctx context.Context, spec proto.ProcessSpec, stdio agent.Stdio) (agent.Process, error) {
	<-r.release
	return r.funcRuntime.Start(ctx, spec, stdio)
}

// A session says main runs (what the edge answers a start on) once the
// agent's runtime has started it, not when the agent connects; a main
// that cannot start counts once its exit is in.
func TestSessionRunningOnceMainRuns(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int // its exit's code, -1 while it runs
	}{
		{"main that runs", []string{"waitsig"}, -1},
		{"main that cannot start", []string{"nosuchcommand"}, 127},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, testFns)
			rt := slowStartRuntime{funcRuntime: h.rt, release: make(chan struct{})}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = agent.Run(ctx, agent.Config{EdgeURL: h.url, ContainerID: "c1", Token: tokenFor("c1"),
					Main: proto.ProcessSpec{Args: tc.args}, Runtime: rt, Logs: &memLogs{}})
			}()
			t.Cleanup(func() { cancel(); <-done })

			s := h.session(t, "c1")
			if !s.Hello().AcksStart {
				t.Fatal("the agent's hello does not say it acks start")
			}
			select {
			case <-s.Running():
				t.Fatal("running before the runtime started main")
			case <-time.After(200 * time.Millisecond):
			}
			close(rt.release)
			select {
			case <-s.Running():
			case <-time.After(testTimeout):
				t.Fatal("not running after the runtime started main")
			}
			if tc.code >= 0 {
				if e := h.nextExit(t); e != (exitEvent{"c1", tc.code}) {
					t.Errorf("exit %+v, want code %d", e, tc.code)
				}
			}
		})
	}
}
