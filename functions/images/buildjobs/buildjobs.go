// Package buildjobs runs docker builds as goroutines of a process that
// lives as long as its edge (local mode's function), so that a build can
// outlive the call that started it and stream its progress: the
// core.BuildJobs a driver offers by embedding a Jobs.
package buildjobs

import (
	"context"
	"sync"
)

// Jobs are the builds running in this process. The zero value is ready;
// Close stops them with the driver.
type Jobs struct {
	mu   sync.Mutex
	jobs map[string]context.CancelFunc
	wg   sync.WaitGroup
	// closed: the driver is closing; a job started now starts cancelled.
	closed bool
}

// GoBuild runs job in a goroutine until it returns.
func (j *Jobs) GoBuild(id string, job func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	j.mu.Lock()
	if j.jobs == nil {
		j.jobs = map[string]context.CancelFunc{}
	}
	j.jobs[id] = cancel
	if j.closed {
		cancel()
	}
	j.wg.Add(1)
	j.mu.Unlock()
	go func() {
		defer j.wg.Done()
		defer func() {
			j.mu.Lock()
			delete(j.jobs, id)
			j.mu.Unlock()
			cancel()
		}()
		job(ctx)
	}()
}

// CancelBuild cancels a running job; the job still writes its end.
func (j *Jobs) CancelBuild(id string) {
	j.mu.Lock()
	cancel := j.jobs[id]
	j.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// BuildRunning reports whether job id has not returned yet.
func (j *Jobs) BuildRunning(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.jobs[id] != nil
}

// RunningBuilds is how many jobs are running, so a test can see that a
// build whose client left was stopped.
func (j *Jobs) RunningBuilds() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.jobs)
}

// Close cancels every job and waits for them to end, so that none uses
// a store or client that is closing.
func (j *Jobs) Close() {
	j.mu.Lock()
	j.closed = true
	for _, cancel := range j.jobs {
		cancel()
	}
	j.mu.Unlock()
	j.wg.Wait()
}
