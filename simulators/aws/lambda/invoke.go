package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

// Result is what a synchronous invocation returns to the caller.
type Result struct {
	Payload []byte
	// FunctionError is "Unhandled" when the function failed, else "".
	FunctionError string
	// Logs are the invocation's log lines, START to REPORT.
	Logs []LogEvent
}

// Tail is the last 4 KB of the invocation's log, as X-Amz-Log-Result
// carries it (base64).
func (r Result) Tail() string {
	var b strings.Builder
	for _, e := range r.Logs {
		b.WriteString(e.Message)
		b.WriteByte('\n')
	}
	s := b.String()
	if len(s) > 4096 {
		s = s[len(s)-4096:]
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// Invoke runs the function once and waits for its answer. A failure of the
// function itself is a Result with FunctionError set, not an error.
func (s *Service) Invoke(ctx context.Context, region, ref string, payload []byte, clientContext string) (Result, error) {
	for {
		p, f, err := s.pool(region, ref)
		if err != nil {
			return Result{}, err
		}
		if cap(p.sem) == 0 {
			return Result{}, throttled() // reserved concurrency 0
		}
		inst, cold, err := p.acquire(ctx)
		if errors.Is(err, errRetired) {
			continue // updated or deleted meanwhile: use what is there now
		}
		id := reqid.New()
		if err != nil {
			if ctx.Err() != nil {
				return Result{}, err
			}
			// The bootstrap could not be started: Lambda reports this as
			// the function's error, not the API's.
			res := errorResult("Runtime.InvalidEntrypoint", fmt.Sprintf("RequestId: %s Error: %v", id, err))
			return Result{Payload: res.payload, FunctionError: "Unhandled"}, nil
		}
		inv := &invocation{id: id, payload: payload, clientContext: clientContext, timeout: p.sp.timeout, done: make(chan result, 1)}
		inst.streamTo(func(l []LogEvent) {
			f.logs.add(l)
			if s.opts.LogSink != nil {
				s.opts.LogSink(p.sp.region, p.sp.logGroup, inst.stream, l)
			}
		})
		res, healthy := inst.run(inv, cold)
		inst.streamTo(nil)
		logs := inst.takeLines()
		p.release(inst, healthy)
		out := Result{Payload: res.payload, Logs: logs}
		if res.errored {
			out.FunctionError = "Unhandled"
		}
		return out, nil
	}
}

// InvokeAsync queues an Event invocation and returns at once, as Lambda
// does with 202. Unlike Lambda it does not retry a failed event.
func (s *Service) InvokeAsync(region, ref string, payload []byte) error {
	s.mu.Lock()
	_, err := s.lookup(region, ref)
	if err == nil && s.ctx.Err() != nil {
		err = errClosed
	}
	if err == nil {
		s.events.Add(1)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	go func() {
		defer s.events.Done()
		s.Invoke(s.ctx, region, ref, payload, "")
	}()
	return nil
}

// pool returns the function's instance pool, creating it on first use.
func (s *Service) pool(region, ref string) (*pool, *function, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return nil, nil, errClosed
	}
	f, err := s.lookup(region, ref)
	if err != nil {
		return nil, nil, err
	}
	if f.pool != nil {
		return f.pool, f, nil
	}
	c := f.Config
	sp := &spec{
		region:   region,
		name:     c.FunctionName,
		arn:      c.FunctionArn,
		timeout:  time.Duration(c.Timeout) * time.Second,
		memory:   c.MemorySize,
		runtime:  c.Runtime,
		handler:  c.Handler,
		logGroup: "/aws/lambda/" + c.FunctionName,
	}
	if g := c.LoggingConfig["LogGroup"]; g != "" {
		sp.logGroup = g
	}
	prepare := prepareZip(s.codePath(region, c.FunctionName, f.CodeHex))
	if c.PackageType == "Image" {
		prepare = s.prepareImage(f.ResolvedImageURI, c.ImageConfigResponse)
	}
	if len(c.FileSystemConfigs) > 0 {
		code := prepare
		prepare = func(sp *spec) error {
			if err := code(sp); err != nil {
				return err
			}
			return s.mountFileSystems(sp, c.FileSystemConfigs)
		}
	}
	if c.PackageType != "Image" {
		sp.taskRoot = filepath.Join(s.dir, "run", f.CodeHex)
	}
	sp.env = s.environ(sp, c)
	creds := []string{"AWS_ACCESS_KEY_ID=" + s.opts.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + s.opts.SecretAccessKey}
	f.pool = newPool(sp, prepare, creds, s.instanceCap(f))
	return f.pool, f, nil
}

// environ is the environment Lambda gives a provided-runtime process, then
// the function's own variables.
func (s *Service) environ(sp *spec, c Configuration) []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_REGION=" + sp.region,
		"AWS_DEFAULT_REGION=" + sp.region,
		"AWS_LAMBDA_FUNCTION_NAME=" + sp.name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(sp.memory),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=" + sp.logGroup,
		"_HANDLER=" + c.Handler,
	}
	if sp.taskRoot != "" { // an image's is known once it is unpacked
		env = append(env, "LAMBDA_TASK_ROOT="+sp.taskRoot)
	}
	if s.opts.Endpoint != nil {
		if u := s.opts.Endpoint(); u != "" {
			env = append(env, "AWS_ENDPOINT_URL="+u)
		}
	}
	if c.Environment != nil {
		keys := make([]string, 0, len(c.Environment.Variables))
		for k := range c.Environment.Variables {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+c.Environment.Variables[k])
		}
	}
	return env
}

// logRing keeps a function's most recent log lines.
type logRing struct {
	mu    sync.Mutex
	max   int
	lines []LogEvent
}

func newLogRing(max int) *logRing { return &logRing{max: max} }

func (r *logRing) add(l []LogEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, l...)
	if over := len(r.lines) - r.max; over > 0 {
		r.lines = append([]LogEvent(nil), r.lines[over:]...)
	}
}

func (r *logRing) all() []LogEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]LogEvent(nil), r.lines...)
}
