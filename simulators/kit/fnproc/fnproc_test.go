package fnproc

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// lines collects what an Output reads.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) add(s []string) { l.mu.Lock(); l.got = append(l.got, s...); l.mu.Unlock() }
func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

func start(t *testing.T, dir, script string) (Process, *Output, *lines) {
	t.Helper()
	var l lines
	p, out := startEmitting(t, dir, script, l.add)
	return p, out, &l
}

// startEmitting runs script with its output handed to emit.
func startEmitting(t *testing.T, dir, script string, emit func([]string)) (Process, *Output) {
	t.Helper()
	out, err := NewOutput(emit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	p, err := Host{Argv: []string{"/bin/sh", "-c", script}, Dir: dir}.Start(os.Environ(), out.W())
	if err != nil {
		t.Fatal(err)
	}
	return p, out
}

// TestFlushWaitsForEveryLineWritten proves that after Flush every line the
// process wrote is read, stdout and stderr alike, in order.
func TestFlushWaitsForEveryLineWritten(t *testing.T) {
	p, out, l := start(t, t.TempDir(), `echo one; echo two >&2; echo; echo three; printf partial`)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if !out.Flush(10 * time.Second) {
		t.Fatal("Flush gave up")
	}
	if want := []string{"one", "two", "", "three", "partial"}; !slices.Equal(l.all(), want) {
		t.Fatalf("lines %q, want %q", l.all(), want)
	}
}

// TestFlushWaitsForASlowReader proves Flush waits for every line however
// long handing them on takes (here a slow store), with no time limit of
// its own short of the guard.
func TestFlushWaitsForASlowReader(t *testing.T) {
	const n = 3000
	var l lines
	p, out := startEmitting(t, t.TempDir(), fmt.Sprintf(`i=1; while [ $i -le %d ]; do echo "line $i"; i=$((i+1)); done`, n), func(s []string) {
		time.Sleep(5 * time.Millisecond)
		l.add(s)
	})
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if !out.Flush(time.Minute) {
		t.Fatal("Flush gave up")
	}
	got := l.all()
	if len(got) != n {
		t.Fatalf("%d lines after Flush (it took %v), want %d", len(got), time.Since(start), n)
	}
	for i, s := range got {
		if want := fmt.Sprintf("line %d", i+1); s != want {
			t.Fatalf("line %d is %q, want %q", i, s, want)
		}
	}
}

// TestFlushGivesUpOnAStuckReader proves the guard: when lines can no
// longer be handed on, Flush says so after its limit instead of hanging.
func TestFlushGivesUpOnAStuckReader(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	p, out := startEmitting(t, t.TempDir(), `echo one`, func([]string) { <-stuck })
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if out.Flush(200 * time.Millisecond) {
		t.Fatal("Flush reported every line read while the reader was stuck")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Flush gave up after %v, want about its limit", d)
	}
}

func TestWait(t *testing.T) {
	cases := []struct {
		name, script, err string
	}{
		{"a clean exit is no error", "exit 0", ""},
		{"a non-zero exit is an error", "exit 3", "exit status 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _, _ := start(t, t.TempDir(), c.script)
			err := p.Wait()
			if (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
				t.Fatalf("Wait = %v, want %q", err, c.err)
			}
		})
	}
}

// TestKillEndsWhatTheProcessStarted proves Kill ends the process group:
// a child that would write a file a moment later never does.
func TestKillEndsWhatTheProcessStarted(t *testing.T) {
	dir := t.TempDir()
	p, _, _ := start(t, dir, `(sleep 0.5; echo alive > mark) & wait`)
	time.Sleep(100 * time.Millisecond)
	p.Kill()
	if err := p.Wait(); err == nil {
		t.Fatal("a killed process's Wait reported no error")
	}
	time.Sleep(time.Second)
	if _, err := os.Stat(filepath.Join(dir, "mark")); err == nil {
		t.Fatal("the process's child outlived Kill and wrote its file")
	}
}
