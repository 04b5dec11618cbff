package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// Scenario is a named sequence of docker CLI steps run against each engine.
type Scenario struct {
	Name string
	// Static scenarios run no container process, so they run even when the
	// test image has no busybox binaries.
	Static bool
	Steps  []Step
}

// Shape says how the comparison treats a step's stdout.
type Shape int

const (
	ShapeExact Shape = iota // normalised stdout must be equal
	ShapeLines              // same number of non-empty lines
	ShapeCode               // only exit codes are compared
)

// Step is one docker CLI invocation (Args) or one harness action (Do).
// Args, Stdin and check texts may hold @var@ placeholders (see Session.Vars).
type Step struct {
	Args    []string
	Stdin   string
	Do      func(s *Session) harness.Result
	Code    int  // expected exit code
	AnyCode bool // the step only prepares; its exit code does not matter
	Checks  []Check
	Save    string        // keep trimmed stdout as @Save@
	Until   time.Duration // retry the step until it passes, for at most this long
	Timeout time.Duration
	Shape   Shape
}

// Session is one scenario running on one engine.
type Session struct {
	T    *testing.T
	E    *harness.Engine
	Dir  string            // a host temp dir, @dir@
	Vars map[string]string // placeholder values: name, img, reg, regimg, dir, rootfs, saved outputs
	bg   map[string]*background
}

// Expand replaces @var@ placeholders in s.
func (s *Session) Expand(in string) string {
	keys := make([]string, 0, len(s.Vars))
	for k := range s.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in = strings.ReplaceAll(in, "@"+k+"@", s.Vars[k])
	}
	return in
}

// stepRecord is what a step did on one engine, kept for the comparison.
type stepRecord struct {
	Cmd   string
	Code  int
	Out   string // normalised stdout
	Shape Shape
}

func TestScenarios(t *testing.T) {
	all := allScenarios()
	for _, sl := range engines {
		t.Run(sl.name, func(t *testing.T) {
			sl.available(t)
			for _, sc := range all {
				t.Run(sc.Name, func(t *testing.T) {
					e := sl.use(t)
					report.record(sc.Name, sl.name, runScenario(t, e, sc))
				})
			}
		})
	}
	t.Run("compare", func(t *testing.T) { report.judge(t, running()) })
}

func runScenario(t *testing.T, e *harness.Engine, sc Scenario) []stepRecord {
	if !sc.Static && !rootfs.HasBusybox {
		t.Skipf("test image has no binaries: %s", rootfs.Why)
	}
	s := newSession(t, e)
	t.Cleanup(s.cleanup)
	var recs []stepRecord
	for i, st := range sc.Steps {
		cmd, r, err := s.step(st)
		recs = append(recs, stepRecord{Cmd: cmd, Code: r.Code, Out: normalise(s, r.Stdout), Shape: st.Shape})
		if err != nil {
			t.Fatalf("step %d: %s: %v\nexit code: %d\nstdout:\n%s\nstderr:\n%s", i+1, cmd, err, r.Code, r.Stdout, r.Stderr)
		}
		if st.Save != "" {
			s.Vars[st.Save] = strings.TrimSpace(r.Stdout)
		}
	}
	return recs
}

func newSession(t *testing.T, e *harness.Engine) *Session {
	s := &Session{T: t, E: e, Dir: t.TempDir(), bg: map[string]*background{}}
	s.Vars = map[string]string{
		"name":   "e2e-" + randHex(5),
		"img":    TestImage,
		"dir":    s.Dir,
		"rootfs": rootfs.Tar,
	}
	if registry != nil {
		s.Vars["reg"] = registry.Addr
		s.Vars["regimg"] = registry.Image()
	}
	return s
}

// step runs st until it passes or its Until window closes.
func (s *Session) step(st Step) (string, harness.Result, error) {
	deadline := time.Now().Add(st.Until)
	for {
		cmd, r := s.exec(st)
		err := s.verify(st, r)
		if err == nil || time.Now().After(deadline) {
			return cmd, r, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *Session) exec(st Step) (string, harness.Result) {
	if st.Do != nil {
		return "(harness action)", st.Do(s)
	}
	args := make([]string, len(st.Args))
	for i, a := range st.Args {
		args[i] = s.Expand(a)
	}
	opts := harness.RunOpts{Timeout: st.Timeout}
	if st.Stdin != "" {
		opts.Stdin = strings.NewReader(s.Expand(st.Stdin))
	}
	return "docker " + strings.Join(args, " "), s.E.DockerWith(opts, args...)
}

func (s *Session) verify(st Step, r harness.Result) error {
	if !st.AnyCode && r.Code != st.Code {
		return fmt.Errorf("exit code %d, want %d", r.Code, st.Code)
	}
	for _, c := range st.Checks {
		if err := c.fn(s, r); err != nil {
			return fmt.Errorf("%s: %v", c.desc, err)
		}
	}
	return nil
}

// cleanup removes what the scenario created: its names all start with @name@.
func (s *Session) cleanup() {
	for _, b := range s.bg {
		b.stop()
	}
	name := s.Vars["name"]
	if ids := fields(s.E.Docker("ps", "-aq", "--filter", "name="+name)); len(ids) > 0 {
		s.E.Docker(append([]string{"rm", "-f", "-v"}, ids...)...)
	}
	if vols := fields(s.E.Docker("volume", "ls", "-q", "--filter", "name="+name)); len(vols) > 0 {
		s.E.Docker(append([]string{"volume", "rm", "-f"}, vols...)...)
	}
	if nets := fields(s.E.Docker("network", "ls", "-q", "--filter", "name="+name)); len(nets) > 0 {
		s.E.Docker(append([]string{"network", "rm"}, nets...)...)
	}
	if imgs := fields(s.E.Docker("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference="+name+"*")); len(imgs) > 0 {
		s.E.Docker(append([]string{"rmi", "-f"}, imgs...)...)
	}
}

func fields(r harness.Result) []string {
	if r.Code != 0 {
		return nil
	}
	return strings.Fields(r.Stdout)
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// background is a docker CLI process a scenario streams from (docker events).
type background struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Start runs docker args in the background under key.
func (s *Session) Start(key string, args ...string) error {
	for i, a := range args {
		args[i] = s.Expand(a)
	}
	cmd := s.E.Command(s.T.Context(), args...)
	b := &background{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b.out, b.out
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { cmd.Wait(); close(b.done) }()
	s.bg[key] = b
	return nil
}

// WaitOutput waits until the background process key printed want, or
// exited, or within passed; it returns everything it printed so far.
func (s *Session) WaitOutput(key, want string, within time.Duration) (string, bool) {
	b := s.bg[key]
	deadline := time.Now().Add(within)
	for {
		out := b.out.String()
		if strings.Contains(out, want) {
			return out, true
		}
		select {
		case <-b.done:
			return b.out.String(), strings.Contains(b.out.String(), want)
		default:
		}
		if time.Now().After(deadline) {
			return out, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *background) stop() {
	select {
	case <-b.done:
		return
	default:
	}
	b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.done:
	case <-time.After(3 * time.Second):
		b.cmd.Process.Kill()
		<-b.done
	}
}
