// Package harness starts Docker engines (sockerless and, where one can run,
// a real dockerd as reference) and drives them with the real docker CLI.
package harness

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DockerCLI is the docker client every engine is driven with.
const DockerCLI = "/usr/local/bin/docker"

// DefaultTimeout bounds one docker CLI invocation unless a step asks otherwise.
const DefaultTimeout = 60 * time.Second

// Engine is a running Docker API endpoint.
type Engine struct {
	Name   string // "sockerless" or "dockerd"
	Host   string // DOCKER_HOST value, unix://...
	Socket string // path of the unix socket

	configDir string      // DOCKER_CONFIG: an empty dir so no user config leaks in
	log       *tailBuffer // the engine process's output
	stop      func() error
	kill      func() // SIGKILL, no grace: a crash (engines the harness launched)
}

// Result is what one docker CLI invocation produced.
type Result struct {
	Stdout string
	Stderr string
	Code   int // process exit code; -1 when it could not run or timed out
}

// RunOpts are the optional parts of a docker CLI invocation.
type RunOpts struct {
	Stdin   io.Reader
	Timeout time.Duration
}

// Docker runs the docker CLI against the engine with no stdin.
func (e *Engine) Docker(args ...string) Result {
	return e.DockerWith(RunOpts{}, args...)
}

// DockerWith runs the docker CLI against the engine with opts.
func (e *Engine) DockerWith(opts RunOpts, args ...string) Result {
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := e.Command(ctx, args...)
	cmd.Stdin = opts.Stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// A CLI that left a child holding the pipes must not hang the test.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code = -1
		r.Stderr += "\nharness: docker " + strings.Join(args, " ") + ": timed out after " + timeout.String()
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		r.Code = -1
		r.Stderr += "\nharness: " + err.Error()
	}
	return r
}

// Command returns an unstarted docker CLI command aimed at the engine, for
// callers that stream its output (docker events, logs -f).
func (e *Engine) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, DockerCLI, args...)
	cmd.Env = append(cleanEnv(), "DOCKER_HOST="+e.Host, "DOCKER_CONFIG="+e.configDir)
	return cmd
}

// LogTail returns the last 40 lines the engine process wrote.
func (e *Engine) LogTail() string {
	if e.log == nil {
		return ""
	}
	return lastLines(e.log.String(), 40)
}

// Stop ends the engine process and removes what it started with.
func (e *Engine) Stop() error {
	if e.stop == nil {
		return nil
	}
	err := e.stop()
	e.stop = nil
	os.RemoveAll(e.configDir)
	return err
}

// Kill ends the engine process at once, as a crash would; Stop then
// cleans up.
func (e *Engine) Kill() {
	if e.kill != nil {
		e.kill()
	}
}

// cleanEnv is the test's environment without anything that would point the
// CLI elsewhere or change its output format.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "DOCKER_") || k == "BUILDKIT_PROGRESS" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// CleanEnv is the test's environment without DOCKER_* and other
// variables that would point a client or daemon elsewhere.
func CleanEnv() []string { return cleanEnv() }
