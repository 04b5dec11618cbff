package binds_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/osproc"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/edge/binds"
	"github.com/sockerless/sockerless/functions/call"
)

const testTimeout = 20 * time.Second

// rig is the real hub and a real agent running main as a process of
// this machine (osproc), held for the copy: the container's "/" is this
// machine's, so targets are temporary directories too.
type rig struct {
	hub    *hub.Hub
	url    string
	copier *binds.Copier
	exits  chan int
	outErr chan error
	outDur chan time.Duration
	// timeout bounds a run (testTimeout unless set).
	timeout time.Duration
}

func newRig(t testing.TB, roots ...string) *rig {
	t.Helper()
	c, err := binds.New(roots)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{copier: c, exits: make(chan int, 1), outErr: make(chan error, 1), outDur: make(chan time.Duration, 1), timeout: testTimeout}
	r.hub = hub.New(func(context.Context, string, string) error { return nil })
	// As the edge does: copy back before the exit is recorded.
	r.hub.OnExit(func(id string, code int, _ time.Time) {
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		defer cancel()
		s, err := r.hub.Session(ctx, id)
		start := time.Now()
		if err == nil {
			err = r.copier.Out(ctx, s, id)
		}
		r.outDur <- time.Since(start)
		r.outErr <- err
		r.exits <- code
	})
	srv := httptest.NewServer(r.hub)
	t.Cleanup(srv.Close)
	r.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return r
}

// result is what one run of a held container gave.
type result struct {
	inErr, outErr error
	code          int
	in, out       time.Duration // how long each copy took
}

// run starts a held agent for script, copies binds in and returns In's
// error, main's exit code and Out's error.
func (r *rig) run(t testing.TB, script string, bs ...call.Bind) (inErr error, code int, outErr error) {
	res := r.runTimed(t, script, bs...)
	return res.inErr, res.code, res.outErr
}

func (r *rig) runTimed(t testing.TB, script string, bs ...call.Bind) (res result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	actx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = agent.Run(actx, agent.Config{EdgeURL: r.url, ContainerID: "c1", Token: "t", HoldMain: true,
			Main: proto.ProcessSpec{Args: []string{"sh", "-c", script}}, Runtime: osproc.Runtime{WaitDelay: 200 * time.Millisecond}})
	}()
	t.Cleanup(func() { stop(); <-done })
	s, err := r.hub.Session(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res.inErr = r.copier.In(ctx, s, "c1", bs)
	res.in = time.Since(start)
	select {
	case res.code = <-r.exits:
	case <-ctx.Done():
		t.Fatal("main did not exit")
	}
	res.out, res.outErr = <-r.outDur, <-r.outErr
	return res
}

func write(t testing.TB, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCopyInAndBack: a directory is in place before main starts, its
// symlinks stay links, and what main changed comes back; a read-only
// bind's changes do not; a file bind comes back in place.
func TestCopyInAndBack(t *testing.T) {
	root := t.TempDir()
	src, target := filepath.Join(root, "src"), filepath.Join(t.TempDir(), "deep", "work")
	write(t, filepath.Join(src, "in.txt"), "from host\n")
	write(t, filepath.Join(src, "sub", ".hidden"), "hidden\n")
	if err := os.Symlink("/etc", filepath.Join(src, "etc")); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, root)
	script := `set -e; cd ` + target + `; test -L etc; cat in.txt sub/.hidden > seen; echo back > out.txt`
	inErr, code, outErr := r.run(t, script, call.Bind{Source: src, Target: target})
	if inErr != nil || code != 0 || outErr != nil {
		t.Fatalf("in %v, exit %d, out %v", inErr, code, outErr)
	}
	if got := read(t, filepath.Join(src, "seen")); got != "from host\nhidden\n" {
		t.Errorf("main saw %q", got)
	}
	if got := read(t, filepath.Join(src, "out.txt")); got != "back\n" {
		t.Errorf("copied back %q", got)
	}
	if l, err := os.Readlink(filepath.Join(src, "etc")); err != nil || l != "/etc" {
		t.Errorf("the link in the source is now %q, %v", l, err)
	}

	ro := filepath.Join(root, "ro")
	write(t, filepath.Join(ro, "keep"), "k")
	roTarget := filepath.Join(t.TempDir(), "ro")
	r = newRig(t, root)
	if inErr, code, outErr := r.run(t, "echo x > "+roTarget+"/new", call.Bind{Source: ro, Target: roTarget, ReadOnly: true}); inErr != nil || code != 0 || outErr != nil {
		t.Fatalf("read-only: in %v, exit %d, out %v", inErr, code, outErr)
	}
	if _, err := os.Stat(filepath.Join(ro, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only bind's change came back: %v", err)
	}

	file := filepath.Join(root, "conf")
	write(t, file, "one\n")
	fileTarget := filepath.Join(t.TempDir(), "etc", "app.conf")
	r = newRig(t, root)
	if inErr, code, outErr := r.run(t, "grep -q one "+fileTarget+" && echo two > "+fileTarget, call.Bind{Source: file, Target: fileTarget}); inErr != nil || code != 0 || outErr != nil {
		t.Fatalf("file: in %v, exit %d, out %v", inErr, code, outErr)
	}
	if got := read(t, file); got != "two\n" {
		t.Errorf("file bind came back as %q", got)
	}
}

// TestRefusedSources: a bind the edge will not copy fails main, which
// never runs, with a message that says what to do.
func TestRefusedSources(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "secret"), "s")
	link := filepath.Join(root, "escape")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		source  string
		wantErr string
	}{
		{"a source that does not exist gets dockerd's error", filepath.Join(root, "nope"),
			`invalid mount config for type "bind": bind source path does not exist: ` + filepath.Join(root, "nope")},
		{"a source outside the shared roots names the flag", outside,
			"bind source " + outside + " is outside the directories this edge shares with containers (" + root + "): start the edge with --bind-root " + outside + " to share it"},
		{"a symlink out of the shared roots is refused", link,
			"bind source " + link + " (a symlink to " + outside + ") is outside the directories"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "ran")
			r := newRig(t, root)
			inErr, code, outErr := r.run(t, "touch "+marker, call.Bind{Source: tc.source, Target: filepath.Join(t.TempDir(), "t")})
			if inErr == nil || !strings.Contains(inErr.Error(), tc.wantErr) || !errors.Is(inErr, binds.ErrInvalid) {
				t.Errorf("In: %v, want %q", inErr, tc.wantErr)
			}
			if code != 126 || outErr != nil {
				t.Errorf("exit %d, out %v; want 126", code, outErr)
			}
			if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
				t.Error("main ran")
			}
		})
	}
}
