package hub_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// The agent runs a container's healthcheck inside it while main runs,
// with main's environment, and the hub hands each result to OnHealth:
// the exit code, the output (bounded), and a probe past its timeout
// killed and failed; no probe starts once main has exited.
func TestHealthcheckResultsReachTheHub(t *testing.T) {
	for _, tc := range []struct {
		name     string
		probe    procFunc
		timeout  time.Duration
		wantCode int
		wantOut  string
	}{
		{"a passing probe", func(_ context.Context, p *funcProc) int {
			fmt.Fprint(p.Stdout, "ok from "+strings.Join(p.Spec.Env, ","))
			return 0
		}, time.Second, 0, "ok from MODE=test"},
		{"a failing probe", func(_ context.Context, p *funcProc) int {
			fmt.Fprint(p.Stderr, "down")
			return 1
		}, time.Second, 1, "down"},
		{"output past the bound is cut", func(_ context.Context, p *funcProc) int {
			fmt.Fprint(p.Stdout, strings.Repeat("x", proto.HealthOutputMax+10))
			return 0
		}, time.Second, 0, strings.Repeat("x", proto.HealthOutputMax)},
		{"a probe past its timeout", func(ctx context.Context, p *funcProc) int {
			<-ctx.Done()
			return 137
		}, 50 * time.Millisecond, -1, "Health check exceeded timeout (50ms)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stop := make(chan struct{})
			h := newHarness(t, map[string]procFunc{
				"main": func(ctx context.Context, p *funcProc) int {
					select {
					case <-stop:
					case <-ctx.Done():
					}
					return 0
				},
				"probe": tc.probe,
			})
			results := make(chan proto.HealthResult, 16)
			h.hub.OnHealth(func(id string, res proto.HealthResult) {
				if id == "c1" {
					results <- res
				}
			})
			h.startAgentWith("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"main"}, Env: []string{"MODE=test"}},
				&proto.HealthSpec{Args: []string{"probe"}, Interval: 20 * time.Millisecond, Timeout: tc.timeout})
			for range 2 { // it goes on probing
				select {
				case res := <-results:
					if res.ExitCode != tc.wantCode || res.Output != tc.wantOut || res.End.Before(res.Start) {
						t.Fatalf("result %d %q (%v to %v), want %d %q", res.ExitCode, res.Output, res.Start, res.End, tc.wantCode, tc.wantOut)
					}
				case <-time.After(testTimeout):
					t.Fatal("no healthcheck result")
				}
			}
			close(stop)
			h.nextExit(t)
			exited := time.Now()
			time.Sleep(100 * time.Millisecond) // five intervals
			for len(results) > 0 {
				// One probe may have been under way as main exited.
				if res := <-results; res.Start.After(exited) {
					t.Fatalf("a probe started after main exited: %+v", res)
				}
			}
		})
	}
}
