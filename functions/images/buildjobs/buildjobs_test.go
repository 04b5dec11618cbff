package buildjobs

import (
	"context"
	"testing"
	"time"
)

func TestJobs(t *testing.T) {
	var j Jobs
	started := make(chan struct{})
	j.GoBuild("a", func(ctx context.Context) {
		close(started)
		<-ctx.Done()
	})
	<-started
	if !j.BuildRunning("a") || j.RunningBuilds() != 1 {
		t.Fatal("job a not running")
	}
	j.CancelBuild("a")
	for deadline := time.Now().Add(2 * time.Second); j.BuildRunning("a"); {
		if time.Now().After(deadline) {
			t.Fatal("cancelled job still running")
		}
		time.Sleep(time.Millisecond)
	}
	// Close cancels what runs and waits; a job started after it starts
	// cancelled.
	j.GoBuild("b", func(ctx context.Context) { <-ctx.Done() })
	j.Close()
	if j.RunningBuilds() != 0 {
		t.Fatal("Close returned with jobs running")
	}
	done := make(chan struct{})
	j.GoBuild("c", func(ctx context.Context) { <-ctx.Done(); close(done) })
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("a job started after Close was not cancelled")
	}
}
