package engine

import (
	"context"
	"sync"

	"github.com/sockerless/sockerless/functions/core"
)

// buildJobs are the builds running in this process. Local mode's
// function lives as long as its edge, so a build outlives the call that
// started it and streams its progress (core.BuildJobs); the jobs stop
// with the driver.
type buildJobs struct {
	mu   sync.Mutex
	jobs map[string]context.CancelFunc
	wg   sync.WaitGroup
	// closed: the driver is closing; a job started now starts cancelled.
	closed bool
}

// GoBuild runs job in a goroutine until it returns.
func (d *Driver) GoBuild(id string, job func(ctx context.Context)) {
	b := &d.builds
	ctx, cancel := context.WithCancel(context.Background())
	b.mu.Lock()
	if b.jobs == nil {
		b.jobs = map[string]context.CancelFunc{}
	}
	b.jobs[id] = cancel
	if b.closed {
		cancel()
	}
	b.wg.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.wg.Done()
		defer func() {
			b.mu.Lock()
			delete(b.jobs, id)
			b.mu.Unlock()
			cancel()
		}()
		job(ctx)
	}()
}

// CancelBuild cancels a running job; the job still writes its end.
func (d *Driver) CancelBuild(id string) {
	d.builds.mu.Lock()
	cancel := d.builds.jobs[id]
	d.builds.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// BuildRunning reports whether job id has not returned yet.
func (d *Driver) BuildRunning(id string) bool {
	d.builds.mu.Lock()
	defer d.builds.mu.Unlock()
	return d.builds.jobs[id] != nil
}

// closeBuilds cancels every job and waits for them to end, so none
// uses an engine client or a store that is closing.
func (d *Driver) closeBuilds() {
	d.builds.mu.Lock()
	d.builds.closed = true
	for _, cancel := range d.builds.jobs {
		cancel()
	}
	d.builds.mu.Unlock()
	d.builds.wg.Wait()
}

var _ core.BuildJobs = (*Driver)(nil)
