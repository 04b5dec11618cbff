package sandbox

import (
	"runtime"
	"sync"
	"testing"
)

// TestForkReservation races forks for a few slots: the count never
// passes the limit, not even for the moment a refused fork takes, and a
// slot given back is taken again.
func TestForkReservation(t *testing.T) {
	const limit, forkers, rounds = 4, 32, 2000
	c, ok := reserveIn(t.TempDir(), limit)
	if !ok {
		t.Fatal("no first slot")
	}
	defer c.exit()
	stop := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var p int64
		for {
			select {
			case <-stop:
				peak <- p
				return
			default:
				p = max(p, c.live.Load())
			}
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	forked, refused := 0, 0
	for range forkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, r := 0, 0
			for range rounds {
				if c.fork() {
					f++
					runtime.Gosched() // hold it while others try
					c.exit()
				} else {
					r++
				}
			}
			mu.Lock()
			forked, refused = forked+f, refused+r
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	if p := <-peak; p > limit {
		t.Fatalf("%d slots taken at once, limit %d", p, limit)
	}
	if n := c.live.Load(); n != 1 {
		t.Fatalf("%d slots left taken after every fork exited, want the first", n)
	}
	if forked == 0 {
		t.Fatal("no fork got a slot")
	}
	t.Logf("%d forks, %d refused at the limit", forked, refused)
}
