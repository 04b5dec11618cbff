package fnproc

import (
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

func (l *lines) add(s string) { l.mu.Lock(); l.got = append(l.got, s); l.mu.Unlock() }
func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

func start(t *testing.T, dir, script string) (Process, *Output, *lines) {
	t.Helper()
	var l lines
	out, err := NewOutput(l.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	p, err := Host{Argv: []string{"/bin/sh", "-c", script}, Dir: dir}.Start(os.Environ(), out.W())
	if err != nil {
		t.Fatal(err)
	}
	return p, out, &l
}

// TestFlushWaitsForEveryLineWritten proves that after Flush every line the
// process wrote is read, stdout and stderr alike, in order.
func TestFlushWaitsForEveryLineWritten(t *testing.T) {
	p, out, l := start(t, t.TempDir(), `echo one; echo two >&2; echo; echo three`)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	out.Flush()
	if want := []string{"one", "two", "", "three"}; !slices.Equal(l.all(), want) {
		t.Fatalf("lines %q, want %q", l.all(), want)
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
