package binds

import (
	"context"
	"fmt"
	"os"
	"path"
	"sync"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/functions/call"
)

// Copier copies one edge's binds; it remembers, per container, the
// read-write binds to copy back at its exit.
type Copier struct {
	roots []string

	mu   sync.Mutex
	back map[string][]copied
}

// copied is a bind whose source was copied in: Source is resolved.
type copied struct {
	call.Bind
	dir bool
}

// New is a Copier sharing roots (DefaultRoots when empty) with
// containers; a root that exists but cannot be resolved is an error.
func New(roots []string) (*Copier, error) {
	if len(roots) == 0 {
		return Default(), nil
	}
	clean, err := cleanRoots(roots)
	if err != nil {
		return nil, err
	}
	return &Copier{roots: clean, back: map[string][]copied{}}, nil
}

// Default is a Copier sharing DefaultRoots, those it can resolve.
func Default() *Copier {
	var clean []string
	for _, r := range DefaultRoots() {
		if c, err := cleanRoots([]string{r}); err == nil {
			clean = append(clean, c...)
		}
	}
	return &Copier{roots: clean, back: map[string][]copied{}}
}

// Roots are the shared directories, resolved.
func (c *Copier) Roots() []string { return c.roots }

// In checks every bind's source, copies each into the container of
// sess, and releases its main process; when a source is refused or a
// copy fails, main is released with that reason instead (it fails, as
// a start with a bad mount does), and the error is returned.
func (c *Copier) In(ctx context.Context, sess *hub.Session, container string, binds []call.Bind) error {
	done, err := c.copyIn(ctx, sess, binds)
	refused := ""
	if err != nil {
		refused = err.Error()
	}
	// What to copy back is known before main runs: it may exit at once.
	var back []copied
	for _, b := range done {
		if !b.ReadOnly {
			back = append(back, b)
		}
	}
	c.mu.Lock()
	c.back[container] = back
	c.mu.Unlock()
	if rerr := sess.Release(ctx, refused); rerr != nil && err == nil {
		err = fmt.Errorf("releasing the main process after copying its binds: %w", rerr)
	}
	return err
}

// Check refuses the binds In would refuse, without a session: what
// the user gets at once, before the workload is up.
func (c *Copier) Check(binds []call.Bind) error {
	_, err := c.check(binds)
	return err
}

// check resolves every bind's source.
func (c *Copier) check(binds []call.Bind) ([]copied, error) {
	var done []copied
	for _, b := range binds {
		real, err := resolve(c.roots, b.Source)
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(real)
		if err != nil {
			return nil, invalidf("bind source %s: %v", b.Source, err)
		}
		b.Source = real
		done = append(done, copied{Bind: b, dir: fi.IsDir()})
	}
	return done, nil
}

func (c *Copier) copyIn(ctx context.Context, sess *hub.Session, binds []call.Bind) ([]copied, error) {
	// Every source is checked before anything moves.
	done, err := c.check(binds)
	if err != nil {
		return nil, err
	}
	for _, b := range done {
		if err := putTree(ctx, sess, b); err != nil {
			return nil, fmt.Errorf("copying bind source %s into %s: %w", b.Source, b.Target, err)
		}
	}
	return done, nil
}

// Pending reports whether container has binds to copy back.
func (c *Copier) Pending(container string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.back[container]) > 0
}

// Out copies container's read-write binds back into their sources from
// sess, once main has exited and before the exit is recorded, so a
// client whose wait ends finds the files. Files the container removed
// stay in the source; a path the container made a symlink out of the
// source is refused, not followed. Out forgets the binds either way.
func (c *Copier) Out(ctx context.Context, sess *hub.Session, container string) error {
	c.mu.Lock()
	back := c.back[container]
	delete(c.back, container)
	c.mu.Unlock()
	var errs []error
	for _, b := range back {
		if err := getTree(ctx, sess, b); err != nil {
			errs = append(errs, fmt.Errorf("copying %s back into bind source %s: %w", b.Target, b.Source, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}

// Forget drops container's binds without copying them back (its
// workload is gone).
func (c *Copier) Forget(container string) {
	c.mu.Lock()
	delete(c.back, container)
	c.mu.Unlock()
}

// targetName is a bind target as a tar entry name below "/".
func targetName(target string) string {
	return path.Clean(target)[1:]
}
