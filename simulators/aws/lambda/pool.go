package lambda

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// errRetired means the function changed (or was deleted) while a caller
// was getting an instance; the caller looks the function up again.
var errRetired = errors.New("lambda: function revision retired")

// pool keeps one function revision's instances: warm ones are reused, new
// ones start while all are busy, up to max concurrent.
type pool struct {
	sp    *spec
	creds []string
	// prepare unpacks the code and completes sp (argv, cwd, env) once,
	// before the first instance starts.
	prepare func(*spec) error

	// prepMu guards prepared: a failed prepare (e.g. the registry was
	// unreachable) is retried by the next invocation.
	prepMu   sync.Mutex
	prepared bool

	sem chan struct{} // one token per invocation in flight

	mu      sync.Mutex
	idle    []*instance // most recently used last
	live    map[*instance]bool
	retired bool
}

func newPool(sp *spec, prepare func(*spec) error, creds []string, max int) *pool {
	return &pool{sp: sp, prepare: prepare, creds: creds, sem: make(chan struct{}, max), live: map[*instance]bool{}}
}

// acquire returns a warm instance, or starts one (cold is then true).
func (p *pool) acquire(ctx context.Context) (inst *instance, cold bool, err error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	for {
		p.mu.Lock()
		if p.retired {
			p.mu.Unlock()
			<-p.sem
			return nil, false, errRetired
		}
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		inst = p.idle[n-1]
		p.idle = p.idle[:n-1]
		if inst.alive() {
			p.mu.Unlock()
			return inst, false, nil
		}
		delete(p.live, inst) // it died while idle
		p.mu.Unlock()
		inst.stop()
	}
	if err := p.ensurePrepared(); err != nil {
		<-p.sem
		return nil, false, err
	}
	inst, err = startInstance(p.sp, p.creds)
	if err != nil {
		<-p.sem
		return nil, false, err
	}
	p.mu.Lock()
	if p.retired {
		p.mu.Unlock()
		inst.stop()
		<-p.sem
		return nil, false, errRetired
	}
	p.live[inst] = true
	p.mu.Unlock()
	return inst, true, nil
}

func (p *pool) ensurePrepared() error {
	p.prepMu.Lock()
	defer p.prepMu.Unlock()
	if p.prepared {
		return nil
	}
	if err := p.prepare(p.sp); err != nil {
		return err
	}
	p.prepared = true
	return nil
}

// release returns inst to the pool, or stops it if it is unhealthy or its
// revision has been retired.
func (p *pool) release(inst *instance, healthy bool) {
	p.mu.Lock()
	keep := healthy && !p.retired && inst.alive()
	if keep {
		inst.lastUsed = time.Now()
		p.idle = append(p.idle, inst)
	} else {
		delete(p.live, inst)
	}
	p.mu.Unlock()
	if !keep {
		inst.stop()
	}
	<-p.sem
}

// retire stops idle instances now; busy ones stop when released, unless
// kill is set (shutdown), which stops them mid-invocation.
func (p *pool) retire(kill bool) {
	p.mu.Lock()
	p.retired = true
	stop := p.idle
	p.idle = nil
	for _, i := range stop {
		delete(p.live, i)
	}
	if kill {
		for i := range p.live {
			stop = append(stop, i)
		}
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, i := range stop {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i.stop()
		}()
	}
	wg.Wait()
}

// reap stops instances idle since before cutoff, as Lambda reclaims
// execution environments nobody has used for a while.
func (p *pool) reap(cutoff time.Time) {
	p.mu.Lock()
	var stale []*instance
	keep := p.idle[:0]
	for _, i := range p.idle { // oldest first
		if i.lastUsed.Before(cutoff) {
			stale = append(stale, i)
			delete(p.live, i)
		} else {
			keep = append(keep, i)
		}
	}
	p.idle = keep
	p.mu.Unlock()
	for _, i := range stale {
		i.stop()
	}
}

// prepareZip unpacks a zip package into the task root and runs its
// bootstrap there.
func prepareZip(zipPath string) func(*spec) error {
	return func(sp *spec) error {
		if err := unpack(zipPath, sp.taskRoot); err != nil {
			return err
		}
		sp.argv = []string{entryPoint(sp.runtime, sp.handler, sp.taskRoot)}
		sp.cwd = sp.taskRoot
		return nil
	}
}

// entryPoint is the executable a runtime starts: bootstrap for the provided
// runtimes; go1.x started the binary named by Handler, and accepts a
// bootstrap too.
func entryPoint(runtime, handler, root string) string {
	if runtime == "go1.x" && handler != "" {
		p := filepath.Join(root, filepath.Clean("/"+handler))
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(root, "bootstrap")
}
