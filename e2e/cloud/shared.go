package cloud

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

// A deployment takes a while (on AWS, a terraform apply of the module),
// so the suites of one test binary share one per cloud: the first suite
// that starts a cloud deploys it, the others reuse it, and Main tears it
// down when the binary's tests are done.

var shared = struct {
	sync.Mutex
	managed bool
	clouds  map[string]*started
	lives   []*lifetime
}{clouds: map[string]*started{}}

// started is a cloud deployed once for the binary, or why it could not be.
type started struct {
	once    sync.Once
	d       Deployment
	img     string
	edgeBin string
	skip    string // the deployment skipped (no provider, say): so do the others
	fail    string // the deployment failed: so do the others
}

// Main runs the package's tests, then tears down the deployments they
// shared; a package whose tests call Start runs its tests through it
// (TestMain: os.Exit(cloud.Main(m))).
func Main(m interface{ Run() int }) int {
	shared.Lock()
	shared.managed = true
	shared.Unlock()
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintf(os.Stderr, "cloud: tearing down the shared deployments: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Start is c deployed, with the test image pushed and the edge built, as
// every suite begins: the first caller in the binary deploys, the others
// share what it made. It returns the deployment, the test image's
// reference and the edge binary; the simulator's logs are shown if t
// fails. A deployment that skipped or failed skips or fails every caller.
func Start(t testing.TB, c Cloud) (d Deployment, img, edgeBin string) {
	t.Helper()
	shared.Lock()
	managed := shared.managed
	s := shared.clouds[c.Name()]
	if s == nil {
		s = &started{}
		shared.clouds[c.Name()] = s
	}
	shared.Unlock()
	if !managed {
		t.Fatal("cloud.Start shares one deployment between the package's tests: its TestMain must run them with cloud.Main(m)")
	}
	s.once.Do(func() { s.deploy(t, c) })
	switch {
	case s.skip != "":
		t.Skip(s.skip)
	case s.fail != "":
		t.Fatalf("deploying %s failed (in an earlier test): %s", c.Name(), s.fail)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the simulator's logs:\n%s", s.d.LogTail(t, 40))
		}
	})
	return s.d, s.img, s.edgeBin
}

// deploy runs in the first caller's goroutine, so that a Fatal or Skip
// ends that test as usual; s records it for the others.
func (s *started) deploy(t testing.TB, c Cloud) {
	life := newLifetime(t)
	shared.Lock()
	shared.lives = append(shared.lives, life)
	shared.Unlock()
	finished := false
	defer func() {
		if !finished {
			s.skip, s.fail = life.outcome()
			if s.skip == "" && s.fail == "" {
				s.fail = "the deployment stopped without saying why"
			}
		}
		life.deployed()
	}()
	s.d = c.Deploy(life)
	s.img = s.d.PushTestImage(life)
	s.edgeBin = BuildEdge(life, life.TempDir())
	finished = true
}

// teardown runs what the shared deployments left to clean up, newest
// first.
func teardown() error {
	shared.Lock()
	lives := shared.lives
	shared.lives = nil
	shared.Unlock()
	var errs []error
	for i := len(lives) - 1; i >= 0; i-- {
		errs = append(errs, lives[i].end())
	}
	return errors.Join(errs...)
}

// lifetime is the testing.TB a shared deployment is made with: it lives
// until Main's tests are done, so what is made through it (the
// simulator, the deployment, temporary directories) outlives the test
// that made it. While that test runs, failures, skips and logs go to
// it; after, to stderr.
type lifetime struct {
	testing.TB // the deploying test
	ctx        context.Context
	cancel     context.CancelFunc

	mu       sync.Mutex
	over     bool // the deploying test's part is done
	cleanups []func()
	skipped  string
	failures []string
}

func newLifetime(t testing.TB) *lifetime {
	ctx, cancel := context.WithCancel(context.Background())
	return &lifetime{TB: t, ctx: ctx, cancel: cancel}
}

func (l *lifetime) deployed() {
	l.mu.Lock()
	l.over = true
	l.mu.Unlock()
}

// outcome is why the deployment skipped or failed.
func (l *lifetime) outcome() (skip, fail string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) > 0 {
		return "", l.failures[len(l.failures)-1]
	}
	return l.skipped, ""
}

func (l *lifetime) deploying() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.over
}

func (l *lifetime) Context() context.Context { return l.ctx }

func (l *lifetime) Cleanup(f func()) {
	l.mu.Lock()
	l.cleanups = append(l.cleanups, f)
	l.mu.Unlock()
}

func (l *lifetime) TempDir() string {
	dir, err := os.MkdirTemp("", "sockerless-e2e-cloud-")
	if err != nil {
		l.Fatal(err)
	}
	l.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Helper marks this method, not its caller (testing cannot be told of
// a frame further up): log lines name a line in the deployment's code
// or here.
func (l *lifetime) Helper() {
	if l.deploying() {
		l.TB.Helper()
	}
}

func (l *lifetime) Name() string { return "shared deployment" }

func (l *lifetime) Log(args ...any) { l.Logf("%s", fmt.Sprint(args...)) }

func (l *lifetime) Logf(format string, args ...any) {
	if l.deploying() {
		l.TB.Helper()
	}
	l.say(l.TB.Logf, format, args...)
}

func (l *lifetime) Error(args ...any) { l.Errorf("%s", fmt.Sprint(args...)) }

func (l *lifetime) Errorf(format string, args ...any) {
	l.mu.Lock()
	l.failures = append(l.failures, fmt.Sprintf(format, args...))
	l.mu.Unlock()
	if l.deploying() {
		l.TB.Helper()
	}
	l.say(l.TB.Errorf, format, args...)
}

// say is a line for the deploying test while it runs (to it), for stderr
// after.
func (l *lifetime) say(to func(string, ...any), format string, args ...any) {
	if l.deploying() {
		l.TB.Helper()
		to(format, args...)
		return
	}
	fmt.Fprintf(os.Stderr, "cloud: "+format+"\n", args...)
}

func (l *lifetime) Fatal(args ...any) { l.Fatalf("%s", fmt.Sprint(args...)) }

func (l *lifetime) Fatalf(format string, args ...any) {
	l.Errorf(format, args...)
	l.FailNow()
}

func (l *lifetime) FailNow() {
	if l.deploying() {
		l.TB.FailNow()
	}
	panic(errFatal)
}

func (l *lifetime) Failed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.failures) > 0
}

func (l *lifetime) Skip(args ...any) { l.Skipf("%s", fmt.Sprint(args...)) }

func (l *lifetime) Skipf(format string, args ...any) {
	l.mu.Lock()
	l.skipped = fmt.Sprintf(format, args...)
	l.mu.Unlock()
	l.SkipNow()
}

func (l *lifetime) SkipNow() {
	if l.deploying() {
		l.TB.Skip(l.skipped)
	}
	panic(errFatal)
}

// errFatal stops a cleanup that failed after the deploying test ended.
var errFatal = errors.New("cloud: stopped")

// end cancels the context and runs the cleanups, newest first, as a
// test's end does.
func (l *lifetime) end() error {
	l.deployed()
	l.cancel()
	l.mu.Lock()
	cleanups := l.cleanups
	l.cleanups = nil
	l.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		func() {
			defer func() {
				if r := recover(); r != nil && r != errFatal {
					l.Errorf("cleanup panicked: %v", r)
				}
			}()
			cleanups[i]()
		}()
	}
	if l.Failed() {
		l.mu.Lock()
		defer l.mu.Unlock()
		return errors.New(l.failures[len(l.failures)-1])
	}
	return nil
}

var _ testing.TB = (*lifetime)(nil)
