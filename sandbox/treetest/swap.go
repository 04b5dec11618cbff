package treetest

import (
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SwapDir flips directory d between itself and a symlink to host, as
// fast as it can, until stop is called; stop leaves the real directory
// in place. It is what a process of a container can do to a directory
// it owns (mv d real; ln -s HOST d), at a speed that hits the window
// between a path's resolution and the operation on it. Until reached
// (nil: never asked) says the code under test got to the directory, each
// round leaves it in place a little longer: on a loaded machine a slow
// command would otherwise never find it between two swaps.
func SwapDir(t testing.TB, d, host string, reached func() bool) (stop func()) {
	t.Helper()
	aside := d + ".real"
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pause := time.Microsecond
		for !done.Load() {
			if os.Rename(d, aside) != nil {
				continue
			}
			_ = os.Symlink(host, d)
			time.Sleep(time.Microsecond)
			// RemoveAll: meanwhile the code under test may have made
			// a real d again.
			_ = os.RemoveAll(d)
			_ = os.Rename(aside, d)
			time.Sleep(pause) // let the code under test find the directory too
			if reached != nil && pause < 100*time.Millisecond && !reached() {
				pause += pause/10 + time.Microsecond
			}
		}
	}()
	return func() {
		done.Store(true)
		wg.Wait()
		if _, err := os.Lstat(aside); err == nil {
			_ = os.RemoveAll(d)
			if err := os.Rename(aside, d); err != nil {
				t.Fatal(err)
			}
		}
	}
}
