package coreutils_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox"
)

// waitFor is shell that waits (5 s at most) until the file out holds $1.
const waitFor = `waitfor() { i=0; while ! grep -q "$1" out; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.05; done; }; `

// tail -f and -F follow their files until they are stopped, as
// busybox's do; each want is busybox 1.35's (with -s 1: its -s takes
// whole seconds, the sandbox's fractions too).
func TestTailFollow(t *testing.T) {
	// The sandbox's shell gives no pid in $!, so timeout stops each
	// follower, after waitfor has seen it print what a case wants.
	runCases(t, []caseT{
		{name: "-f prints what is appended", script: waitFor + `echo a > log; timeout 3 tail -f -s 0.05 log > out & waitfor a; echo b >> log; wait; cat out`, want: "a\nb\n"},
		{name: "-f reads a truncated file from its start", script: waitFor + `echo aaaa > log; timeout 3 tail -f -s 0.05 log > out & waitfor aaaa; : > log; echo z >> log; wait; cat out`, want: "aaaa\nz\n"},
		{name: "-f prints headers when it switches files", script: waitFor + `echo a > l1; echo b > l2; timeout 3 tail -f -s 0.05 l1 l2 > out & waitfor b; echo c >> l1; wait; cat out`, want: "==> l1 <==\na\n\n==> l2 <==\nb\n\n==> l1 <==\nc\n"},
		{name: "-F follows a replaced file", script: waitFor + `echo a > log; timeout 3 tail -F -s 0.05 log > out 2>/dev/null & waitfor a; echo c > new; mv new log; wait; cat out`, want: "a\nc\n"},
		{name: "-F waits for a missing file", script: `timeout 3 tail -F -s 0.05 log > out 2>/dev/null & sleep 0.2; echo n > log; wait; cat out`, want: "n\n"},
		{name: "-f of stdin ends at its end", script: `echo x | tail -f`, want: "x\n"},
		{name: "-f with no file to follow fails", script: `tail -f nope 2>&1`, want: "tail: can't open 'nope': No such file or directory\ntail: no files\n", code: 1},
		{name: "-f /dev/null runs until killed", script: `timeout 1 tail -f /dev/null; echo $?`, want: "143\n"},
	})
}

// A container started as `tail -f /dev/null` (act's job containers) keeps
// running until it is stopped, and stops at once when it is.
func TestTailFollowDevNullStopsAtSignal(t *testing.T) {
	p, err := sandbox.Start(context.Background(), sandbox.Spec{Root: t.TempDir(), Args: []string{"tail", "-f", "/dev/null"}}, sandbox.Stdio{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
		t.Fatalf("tail -f /dev/null exited %d on its own", p.Wait())
	case <-time.After(1500 * time.Millisecond):
	}
	stopped := time.Now()
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("tail -f /dev/null still running 5 s after SIGTERM")
	}
	if d := time.Since(stopped); d > 2*time.Second {
		t.Errorf("stopping took %v; a stop must not wait for tail's next poll", d)
	}
	if code := p.Wait(); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d, want %d", code, 128+int(syscall.SIGTERM))
	}
}
