package lambda

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/fnproc"
)

// spec is everything an instance of one function revision is started with.
type spec struct {
	region, name, arn string
	timeout           time.Duration
	memory            int
	runtime, handler  string
	taskRoot          string
	argv              []string // the host process; set once the code is unpacked
	cwd               string
	box               *boxSpec // instead of argv and cwd: run in the sandbox
	env               []string
	logGroup          string
}

// invocation is one event travelling to an instance and its answer back.
type invocation struct {
	id            string
	payload       []byte
	clientContext string
	timeout       time.Duration
	done          chan result // buffered: the runtime never blocks on it
}

type result struct {
	payload []byte
	errored bool // the function reported an error (X-Amz-Function-Error)
}

// instance is one running bootstrap process with its own Runtime API
// listener, so requests from it need no routing by instance.
type instance struct {
	id     string
	stream string
	sp     *spec
	srv    *http.Server
	proc   fnproc.Process
	out    *fnproc.Output // the process's stdout and stderr
	next   chan *invocation

	exited  chan struct{}
	exitErr error

	initOnce   sync.Once
	initFailed chan struct{}
	initErr    []byte

	mu      sync.Mutex
	current *invocation
	lines   []LogEvent
	// sink receives each line as it is written while an invocation runs,
	// as Lambda streams a function's output to CloudWatch Logs.
	sink func([]LogEvent)

	stopOnce sync.Once

	startedAt time.Time
	lastUsed  time.Time     // set by the pool when the instance goes idle
	initDur   time.Duration // process start to its first /next, under mu
}

func startInstance(sp *spec, creds []string) (*instance, error) {
	var b [16]byte
	rand.Read(b[:])
	i := &instance{
		id:         hex.EncodeToString(b[:]),
		sp:         sp,
		next:       make(chan *invocation),
		exited:     make(chan struct{}),
		initFailed: make(chan struct{}),
	}
	i.startedAt = time.Now()
	i.stream = logStream(time.Now().UTC().Format("2006/01/02"), sp.logGroup, sp.name, i.id)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	i.srv = &http.Server{Handler: i.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	go i.srv.Serve(ln)

	i.out, err = fnproc.NewOutput(func(lines []string) {
		now := time.Now()
		evs := make([]LogEvent, len(lines))
		for n, l := range lines {
			evs[n] = LogEvent{Time: now, Message: l}
		}
		i.mu.Lock()
		i.emitLocked(evs...)
		i.mu.Unlock()
	})
	if err != nil {
		i.srv.Close()
		return nil, err
	}
	env := append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_LAMBDA_LOG_STREAM_NAME=" + i.stream,
	}, sp.env...)
	env = append(env, creds...)
	if sp.box != nil {
		b := sp.box
		i.proc, err = fnproc.Box{Image: b.image, Args: b.args, Dir: b.dir, Roots: b.roots, Memory: int64(sp.memory) << 20, Mounts: b.mounts, Runtime: b.runtime}.Start(env, i.out.W())
	} else {
		i.proc, err = fnproc.Host{Argv: sp.argv, Dir: sp.cwd}.Start(env, i.out.W())
	}
	if err != nil {
		i.srv.Close()
		i.out.Close()
		return nil, err
	}
	go func() {
		i.exitErr = i.proc.Wait()
		close(i.exited)
	}()
	return i, nil
}

// stop kills the process and closes the Runtime API listener.
func (i *instance) stop() {
	i.stopOnce.Do(func() {
		i.proc.Kill()
		select {
		case <-i.exited:
		case <-time.After(5 * time.Second):
		}
		i.srv.Close()
		i.out.Close()
	})
}

func (i *instance) alive() bool {
	select {
	case <-i.exited:
		return false
	default:
		return true
	}
}

func (i *instance) logf(format string, a ...any) {
	i.mu.Lock()
	i.emitLocked(LogEvent{Time: time.Now(), Message: fmt.Sprintf(format, a...)})
	i.mu.Unlock()
}

// emitLocked keeps lines for the invocation's result and streams them.
// The caller holds i.mu.
func (i *instance) emitLocked(l ...LogEvent) {
	i.lines = append(i.lines, l...)
	if i.sink != nil {
		i.sink(l)
	}
}

// streamTo sends the lines written since the last invocation to sink,
// and every later one as it comes, until streamTo(nil).
func (i *instance) streamTo(sink func([]LogEvent)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.sink = sink
	if sink != nil && len(i.lines) > 0 {
		sink(i.lines)
	}
}

func (i *instance) takeLines() []LogEvent {
	i.mu.Lock()
	defer i.mu.Unlock()
	l := i.lines
	i.lines = nil
	return l
}

// drainLimit guards the wait for a function's output to be read before
// END: only a reader that no longer makes progress reaches it.
const drainLimit = 30 * time.Second

// drainOutput waits until every line the process wrote so far is in the
// log, so none comes after END; if the guard fires, the log says so.
func (i *instance) drainOutput() {
	if !i.out.Flush(drainLimit) {
		i.logf("awssim: the function's output was not read within %v; lines it wrote may follow END", drainLimit)
	}
}

var errInitTimeout = errors.New("init phase exceeded 10 seconds")

// initLimit is how long a new instance may take to ask for its first
// event, as Lambda limits the init phase.
const initLimit = 10 * time.Second

// run hands inv to the instance and waits for its answer. healthy is false
// when the instance must not be reused (it timed out, crashed or failed to
// initialise).
func (i *instance) run(inv *invocation, cold bool) (res result, healthy bool) {
	start := time.Now()
	i.logf("START RequestId: %s Version: $LATEST", inv.id)
	res, healthy = i.exchange(inv)
	dur := time.Since(start)
	if healthy {
		i.drainOutput()
	}
	i.logf("END RequestId: %s", inv.id)
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		inv.id, float64(dur.Microseconds())/1000, (dur+time.Millisecond-1)/time.Millisecond, i.sp.memory, i.proc.MaxRSS())
	if cold {
		i.mu.Lock()
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(i.initDur.Microseconds())/1000)
		i.mu.Unlock()
	}
	i.logf("%s", report)
	return res, healthy
}

func (i *instance) exchange(inv *invocation) (result, bool) {
	handoff := time.NewTimer(initLimit)
	defer handoff.Stop()
	select {
	case i.next <- inv:
	case <-i.exited:
		return i.exitResult(inv), false
	case <-i.initFailed:
		return result{payload: i.initErr, errored: true}, false
	case <-handoff.C:
		return errorResult("Runtime.Unknown", fmt.Sprintf("RequestId: %s Error: %v", inv.id, errInitTimeout)), false
	}
	timer := time.NewTimer(inv.timeout)
	defer timer.Stop()
	select {
	case r := <-inv.done:
		return r, true
	case <-i.exited:
		select {
		case r := <-inv.done:
			return r, false
		default:
		}
		return i.exitResult(inv), false
	case <-timer.C:
		i.stop()
		msg := fmt.Sprintf("%s %s Task timed out after %.2f seconds", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, inv.timeout.Seconds())
		i.logf("%s", msg)
		b, _ := jsonMarshal(map[string]string{"errorMessage": msg})
		return result{payload: b, errored: true}, false
	}
}

func (i *instance) exitResult(inv *invocation) result {
	i.drainOutput()
	msg := "Runtime exited without providing a reason"
	if i.exitErr != nil {
		msg = "Runtime exited with error: " + i.exitErr.Error()
	}
	i.logf("RequestId: %s Error: %s", inv.id, msg)
	return errorResult("Runtime.ExitError", fmt.Sprintf("RequestId: %s Error: %s", inv.id, msg))
}

func errorResult(typ, msg string) result {
	b, _ := jsonMarshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return result{payload: b, errored: true}
}
