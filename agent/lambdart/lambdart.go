// Package lambdart is the contract between a Lambda-backed container's
// function and the agent that is its runtime, and the client of Lambda's
// Runtime API (2018-06-01) that the agent serves invocations through.
//
// Each invocation's payload is an Invocation: which container to run
// and where its edge is. The agent runs it to the end under the edge's
// control and answers with a Result once the edge has acknowledged the
// exit; a run that could not be done is reported as the function's
// error instead.
package lambdart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// Invocation is one invocation's payload: one run of a container.
type Invocation struct {
	ContainerID string            `json:"containerId"`
	EdgeURL     string            `json:"edgeUrl"`
	Token       string            `json:"token"`
	Main        proto.ProcessSpec `json:"main"`
	// HoldMain: main waits for the edge's release (agent.Config.HoldMain).
	HoldMain bool `json:"holdMain,omitempty"`
}

// Result is a successful invocation's response: main's exit code, which
// the edge has recorded.
type Result struct {
	ExitCode int `json:"exitCode"`
	// Error is empty in what the agent answers; ParseResponse sets it
	// (with ExitCode -1) for an invocation the function failed, so an
	// invoker handles both outcomes as one type.
	Error string `json:"error,omitempty"`
}

// Headers of the Runtime API.
const (
	headerRequestID = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline  = "Lambda-Runtime-Deadline-Ms"
	headerErrorType = "Lambda-Runtime-Function-Error-Type"
)

// Error types the agent reports.
const (
	ErrorTypeInvalidPayload = "Sockerless.InvalidInvocation"
	ErrorTypeRun            = "Sockerless.RunFailed"
	ErrorTypeInit           = "Sockerless.InitFailed"
)

// maxEvent bounds an invocation payload read (Lambda's synchronous
// payload limit).
const maxEvent = 6 << 20

// Serve polls the Runtime API at api (host:port, AWS_LAMBDA_RUNTIME_API)
// until ctx ends, calling run for each invocation with a context that
// ends at the invocation's deadline. A Result is posted as the
// invocation's response; an error, or a payload that is not an
// Invocation, as its error. Serve returns ctx's error when ctx ends, or
// the error of a failed exchange with the Runtime API: Lambda then
// restarts the runtime, as it does for any runtime that exits.
func Serve(ctx context.Context, api string, client *http.Client, run func(ctx context.Context, inv Invocation) (Result, error)) error {
	if api == "" {
		return errors.New("lambdart: no Runtime API address (AWS_LAMBDA_RUNTIME_API)")
	}
	c := &rtClient{base: "http://" + api + "/2018-06-01/runtime", http: client}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	for {
		ev, err := c.next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if err := c.handle(ctx, ev, run); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

// InitError reports to the Runtime API at api that the runtime could not
// start (Lambda fails the pending invocation with it).
func InitError(ctx context.Context, api string, client *http.Client, cause error) error {
	if api == "" {
		return errors.New("lambdart: no Runtime API address (AWS_LAMBDA_RUNTIME_API)")
	}
	c := &rtClient{base: "http://" + api + "/2018-06-01/runtime", http: client}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	return c.postError(ctx, "/init/error", ErrorTypeInit, cause)
}

// ParseResponse reads what Invoke returned for an invocation:
// functionError is the X-Amz-Function-Error header (empty when the
// function succeeded). A failed invocation yields a Result with
// ExitCode -1 and Error saying why.
func ParseResponse(payload []byte, functionError string) (Result, error) {
	if functionError != "" {
		var e struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		if err := json.Unmarshal(payload, &e); err != nil || e.Message == "" && e.Type == "" {
			return Result{ExitCode: -1, Error: fmt.Sprintf("%s: %s", functionError, payload)}, nil
		}
		return Result{ExitCode: -1, Error: fmt.Sprintf("%s: %s", e.Type, e.Message)}, nil
	}
	var r Result
	if err := json.Unmarshal(payload, &r); err != nil {
		return Result{}, fmt.Errorf("lambdart: the response is not a Result: %w", err)
	}
	return r, nil
}

type rtClient struct {
	base string
	http *http.Client
}

// event is one invocation as the Runtime API hands it out.
type event struct {
	id       string
	deadline time.Time // zero when the API gave none
	payload  []byte
}

func (c *rtClient) next(ctx context.Context) (event, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/invocation/next", nil)
	if err != nil {
		return event{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return event{}, fmt.Errorf("lambdart: next invocation: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEvent+1))
	switch {
	case err != nil:
		return event{}, fmt.Errorf("lambdart: next invocation: %w", err)
	case resp.StatusCode != http.StatusOK:
		return event{}, fmt.Errorf("lambdart: next invocation: %s: %s", resp.Status, bytes.TrimSpace(body))
	case len(body) > maxEvent:
		return event{}, fmt.Errorf("lambdart: next invocation: payload over %d bytes", maxEvent)
	}
	ev := event{id: resp.Header.Get(headerRequestID), payload: body}
	if ev.id == "" {
		return event{}, fmt.Errorf("lambdart: next invocation has no %s header", headerRequestID)
	}
	if ms, err := strconv.ParseInt(resp.Header.Get(headerDeadline), 10, 64); err == nil {
		ev.deadline = time.UnixMilli(ms)
	}
	return ev, nil
}

// handle runs one invocation and posts its outcome.
func (c *rtClient) handle(ctx context.Context, ev event, run func(context.Context, Invocation) (Result, error)) error {
	path := "/invocation/" + ev.id
	var inv Invocation
	if err := json.Unmarshal(ev.payload, &inv); err != nil {
		return c.postError(ctx, path+"/error", ErrorTypeInvalidPayload, fmt.Errorf("the payload is not an invocation: %w", err))
	}
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if !ev.deadline.IsZero() {
		// The deadline kills main: better than Lambda freezing or
		// killing the whole runtime mid-report.
		runCtx, cancel = context.WithDeadline(ctx, ev.deadline)
	}
	res, err := run(runCtx, inv)
	cancel()
	if err != nil {
		return c.postError(ctx, path+"/error", ErrorTypeRun, err)
	}
	body, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return c.post(ctx, path+"/response", body, "")
}

func (c *rtClient) postError(ctx context.Context, path, typ string, cause error) error {
	body, _ := json.Marshal(map[string]string{"errorMessage": cause.Error(), "errorType": typ}) // strings: cannot fail
	return c.post(ctx, path, body, typ)
}

func (c *rtClient) post(ctx context.Context, path string, body []byte, errorType string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if errorType != "" {
		req.Header.Set(headerErrorType, errorType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("lambdart: posting %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("lambdart: posting %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
