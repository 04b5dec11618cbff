package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// Eight parallel invocations while every instance is busy scale out to
// several instances; sequential ones afterwards reuse one warm instance.
func TestInvokeConcurrentThenWarm(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	create(t, c, "fan", 10, map[string]string{"GREETING": "hello"})

	// More than the 10-instance cap, so some wait for a free instance.
	const n = 12
	replies := make([]reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = decodeReply(t, invoke(t, c, "fan", map[string]any{"op": "sleep", "ms": 400, "value": fmt.Sprint(i)}))
		}()
	}
	wg.Wait()
	pids := map[int]bool{}
	for i, r := range replies {
		if r.Value != fmt.Sprint(i) || r.Env != "hello" || r.Region != "us-east-1" || r.Version != "v1" {
			t.Errorf("reply %d = %+v", i, r)
		}
		pids[r.PID] = true
	}
	t.Logf("%d invocations ran on %d instances", n, len(pids))
	if len(pids) < 2 || len(pids) > 10 {
		t.Errorf("%d concurrent invocations ran on %d instances; want scale-out to between 2 and the cap of 10", n, len(pids))
	}

	var warm []int
	for range 3 {
		warm = append(warm, decodeReply(t, invoke(t, c, "fan", map[string]any{"op": "echo"})).PID)
	}
	if warm[0] != warm[1] || warm[1] != warm[2] || !pids[warm[0]] {
		t.Errorf("sequential invocations ran on pids %v; want one warm instance from %v", warm, pids)
	}
}

func TestInvokeFailures(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	create(t, c, "fails", 1, nil)
	pid := decodeReply(t, invoke(t, c, "fails", map[string]any{"op": "echo"})).PID

	cases := []struct {
		name     string
		event    map[string]any
		wantType string
		wantMsg  string
		maxTime  time.Duration
	}{
		{"handler error is Unhandled with its message and type", map[string]any{"op": "fail", "value": "x"}, "errorString", "failed on purpose: x", time.Second},
		{"timeout kills the instance and says so", map[string]any{"op": "sleep", "ms": 5000}, "", "Task timed out after 1.00 seconds", 3 * time.Second},
		{"process exit is Runtime.ExitError", map[string]any{"op": "crash"}, "Runtime.ExitError", "Runtime exited with error: exit status 3", time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			began := time.Now()
			out := invoke(t, c, "fails", tc.event)
			took := time.Since(began)
			if out.FunctionError == nil || *out.FunctionError != "Unhandled" {
				t.Fatalf("FunctionError = %v; want Unhandled (payload %s)", out.FunctionError, out.Payload)
			}
			var fe fnError
			if err := json.Unmarshal(out.Payload, &fe); err != nil {
				t.Fatalf("payload %q: %v", out.Payload, err)
			}
			if fe.ErrorType != tc.wantType || !strings.Contains(fe.ErrorMessage, tc.wantMsg) {
				t.Errorf("error = %+v; want type %q, message containing %q", fe, tc.wantType, tc.wantMsg)
			}
			if took > tc.maxTime {
				t.Errorf("took %v; want under %v", took, tc.maxTime)
			}
		})
	}
	// The function still answers afterwards, from a fresh instance.
	if r := decodeReply(t, invoke(t, c, "fails", map[string]any{"op": "echo", "value": "alive"})); r.Value != "alive" || r.PID == pid {
		t.Errorf("after failures: %+v (first pid %d); want a new instance answering", r, pid)
	}
}

func TestInvokeLogTail(t *testing.T) {
	t.Parallel()
	s, c := start(t, server.Config{})
	create(t, c, "logs", 3, nil)
	out := invoke(t, c, "logs", map[string]any{"op": "echo", "value": "tail-me"}, func(in *awslambda.InvokeInput) {
		in.LogType = types.LogTypeTail
	})
	if out.LogResult == nil {
		t.Fatal("no X-Amz-Log-Result")
	}
	tail, err := base64.StdEncoding.DecodeString(*out.LogResult)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"START RequestId: ", "handling op=echo value=tail-me", "END RequestId: ", "REPORT RequestId: ", "Init Duration: "} {
		if !strings.Contains(string(tail), want) {
			t.Errorf("tail lacks %q:\n%s", want, tail)
		}
	}
	// Without LogType Tail there is no log header; the lines are kept.
	if out := invoke(t, c, "logs", map[string]any{"op": "echo", "value": "second"}); out.LogResult != nil {
		t.Errorf("LogResult without Tail: %q", *out.LogResult)
	}
	// The same lines reach CloudWatch Logs, in /aws/lambda/<name>.
	lc := cloudwatchlogs.NewFromConfig(awsConfig(t, s.URL(), "test"))
	ev, err := lc.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/logs"), FilterPattern: aws.String(`"value=tail-me"`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Events) != 1 || !strings.Contains(aws.ToString(ev.Events[0].LogStreamName), "[$LATEST]") {
		t.Errorf("CloudWatch Logs events for the handler line: %+v", ev.Events)
	}

	var kept []string
	for _, e := range s.Lambda().Logs("us-east-1", "logs") {
		kept = append(kept, e.Message)
	}
	if all := strings.Join(kept, "\n"); !strings.Contains(all, "value=tail-me") || !strings.Contains(all, "value=second") {
		t.Errorf("kept logs:\n%s", all)
	}
}

// An Event invocation answers 202 at once and still runs the function.
func TestInvokeEvent(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	create(t, c, "async", 3, nil)
	path := filepath.Join(t.TempDir(), "touched")
	out := invoke(t, c, "async", map[string]any{"op": "touch", "path": path, "value": "done"}, func(in *awslambda.InvokeInput) {
		in.InvocationType = types.InvocationTypeEvent
	})
	if out.StatusCode != 202 || len(out.Payload) != 0 {
		t.Fatalf("Event invoke: status %d payload %q; want 202 and no payload", out.StatusCode, out.Payload)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && string(b) == "done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the event's side effect never happened: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUpdateThenDelete(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	ctx := context.Background()
	create(t, c, "evolving", 3, map[string]string{"GREETING": "hi"})
	before := decodeReply(t, invoke(t, c, "evolving", map[string]any{"op": "echo"}))

	if _, err := c.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String("evolving"), ZipFile: codeZip(t, "v2")}); err != nil {
		t.Fatal(err)
	}
	after := decodeReply(t, invoke(t, c, "evolving", map[string]any{"op": "echo"}))
	if after.Version != "v2" || after.PID == before.PID {
		t.Errorf("after UpdateFunctionCode: %+v (before %+v); want v2 on a new instance", after, before)
	}

	if _, err := c.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("evolving"),
		Environment:  &types.Environment{Variables: map[string]string{"GREETING": "hola"}},
	}); err != nil {
		t.Fatal(err)
	}
	if r := decodeReply(t, invoke(t, c, "evolving", map[string]any{"op": "echo"})); r.Env != "hola" || r.Version != "v2" {
		t.Errorf("after UpdateFunctionConfiguration: %+v; want GREETING hola, code v2", r)
	}

	if _, err := c.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String("evolving")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("evolving"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(nf.ErrorMessage(), "function:evolving") {
		t.Errorf("Invoke after delete: %v; want ResourceNotFoundException naming the function", err)
	}
}

// Configurations and code survive a restart of the simulator.
func TestPersistAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, c := start(t, server.Config{DataDir: dir})
	create(t, c, "durable", 3, map[string]string{"GREETING": "again"})
	decodeReply(t, invoke(t, c, "durable", map[string]any{"op": "echo"}))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	_, c = start(t, server.Config{DataDir: dir})
	cfg, err := c.GetFunctionConfiguration(context.Background(), &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Environment == nil || cfg.Environment.Variables["GREETING"] != "again" {
		t.Errorf("restored configuration: %+v", cfg.Environment)
	}
	if r := decodeReply(t, invoke(t, c, "durable", map[string]any{"op": "echo", "value": "x"})); r.Value != "x" || r.Env != "again" {
		t.Errorf("invoke after restart: %+v", r)
	}
}

// Which executable a runtime starts, and what a missing one looks like.
func TestEntryPoints(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	version := zipEntry{"version.txt", 0o644, []byte("entry")}
	cases := []struct {
		name     string
		runtime  types.Runtime
		handler  string
		zip      []byte
		wantType string // "" means the function answers
	}{
		{"provided.al2 runs bootstrap", types.RuntimeProvidedal2, "ignored", zipOf(t, zipEntry{"bootstrap", 0o755, bootstrap}, version), ""},
		{"go1.x runs the binary Handler names", types.RuntimeGo1x, "main", zipOf(t, zipEntry{"main", 0o755, bootstrap}, version), ""},
		{"no bootstrap in the zip", types.RuntimeProvidedal2023, "bootstrap", zipOf(t, version), "Runtime.InvalidEntrypoint"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprint("entry", i)
			if _, err := c.CreateFunction(context.Background(), &awslambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: tc.runtime, Role: aws.String(role),
				Handler: aws.String(tc.handler), Code: &types.FunctionCode{ZipFile: tc.zip},
			}); err != nil {
				t.Fatal(err)
			}
			out := invoke(t, c, name, map[string]any{"op": "echo", "value": "e"})
			if tc.wantType == "" {
				if r := decodeReply(t, out); r.Version != "entry" || r.Value != "e" {
					t.Errorf("reply %+v", r)
				}
				return
			}
			var fe fnError
			json.Unmarshal(out.Payload, &fe)
			if aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorType != tc.wantType {
				t.Errorf("FunctionError %v, payload %s; want Unhandled %s", out.FunctionError, out.Payload, tc.wantType)
			}
		})
	}
}
