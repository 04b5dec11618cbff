package lambda_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// TestReservedConcurrency covers PutFunctionConcurrency,
// GetFunctionConcurrency and DeleteFunctionConcurrency, and that the
// reserved concurrency caps the instances serving at once: concurrent
// invocations over the cap wait for an instance rather than start one,
// and a cap of 0 throttles, as Lambda does.
func TestReservedConcurrency(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	ctx := context.Background()
	create(t, c, "capped", 10, nil)
	reserved := func() *int32 {
		out, err := c.GetFunctionConcurrency(ctx, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String("capped")})
		if err != nil {
			t.Fatal(err)
		}
		return out.ReservedConcurrentExecutions
	}
	instances := func(n int) map[int]bool {
		replies := make([]reply, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				replies[i] = decodeReply(t, invoke(t, c, "capped", map[string]any{"op": "sleep", "ms": 300, "value": fmt.Sprint(i)}))
			})
		}
		wg.Wait()
		pids := map[int]bool{}
		for _, r := range replies {
			pids[r.PID] = true
		}
		return pids
	}

	for _, n := range []int32{1, 2, 4} {
		out, err := c.PutFunctionConcurrency(ctx, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String("capped"), ReservedConcurrentExecutions: aws.Int32(n)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToInt32(out.ReservedConcurrentExecutions); got != n {
			t.Errorf("PutFunctionConcurrency answered %d, want %d", got, n)
		}
		if got := reserved(); got == nil || *got != n {
			t.Errorf("GetFunctionConcurrency = %v, want %d", got, n)
		}
		if pids := instances(int(2 * n)); len(pids) != int(n) {
			t.Errorf("%d concurrent invocations under reserved concurrency %d ran on %d instances, want %d", 2*n, n, len(pids), n)
		}
	}

	if _, err := c.PutFunctionConcurrency(ctx, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String("capped"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("capped"), Payload: []byte(`{"op":"echo"}`)}, func(o *awslambda.Options) { o.RetryMaxAttempts = 1 })
	if got := code(err); got != "TooManyRequestsException" {
		t.Errorf("invoke under reserved concurrency 0: %q (%v), want TooManyRequestsException", got, err)
	}

	if _, err := c.DeleteFunctionConcurrency(ctx, &awslambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("capped")}); err != nil {
		t.Fatal(err)
	}
	if got := reserved(); got != nil {
		t.Errorf("after DeleteFunctionConcurrency, GetFunctionConcurrency = %d, want none", *got)
	}
	decodeReply(t, invoke(t, c, "capped", map[string]any{"op": "echo"}))

	for name, call := range map[string]func() error{
		"PutFunctionConcurrency on a missing function": func() error {
			_, err := c.PutFunctionConcurrency(ctx, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String("nope"), ReservedConcurrentExecutions: aws.Int32(1)})
			return err
		},
		"DeleteFunctionConcurrency on a missing function": func() error {
			_, err := c.DeleteFunctionConcurrency(ctx, &awslambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("nope")})
			return err
		},
	} {
		if got := code(call()); got != "ResourceNotFoundException" {
			t.Errorf("%s: %q", name, got)
		}
	}
}
