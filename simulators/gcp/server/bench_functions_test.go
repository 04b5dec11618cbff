package server

import (
	"context"
	"fmt"
	"testing"

	functionspb "cloud.google.com/go/functions/apiv2/functionspb"

	"github.com/sockerless/sockerless/simulators/kit/latency"
)

// BenchmarkFunctionColdStart measures a Go function's deployment to its
// first answer: CreateFunction, the build (the Go build cache warm, as
// after the first deployment of a machine), the instance's start, the
// operation's end as the SDK polls it, and one request. Run with
//
//	go test -run '^$' -bench FunctionColdStart -benchtime 5x -cpu 1 ./gcp/server/
func BenchmarkFunctionColdStart(b *testing.B) {
	e := newFunctionsEnv(b, Config{})
	src := e.upload(b, helloSource)
	if _, err := e.create(b, "warmup", e.function(src, "Hello", nil)); err != nil { // fills the build cache
		b.Fatal(err)
	}
	ctx := context.Background()
	r := latency.Measure(b, func(i int) error {
		f, err := e.create(b, fmt.Sprintf("cold-%d", i), e.function(src, "Hello", nil))
		if err != nil {
			return err
		}
		if got := get(b, f.Url); got != "hello  from "+f.Name[len(e.parent)+len("/functions/"):]+" at /\n" {
			return fmt.Errorf("answer %q", got)
		}
		op, err := e.fns.DeleteFunction(ctx, &functionspb.DeleteFunctionRequest{Name: f.Name})
		if err != nil {
			return err
		}
		return op.Wait(ctx)
	})
	fmt.Println(r)
}

// BenchmarkFunctionWarmCall measures a request to a deployed function
// whose instance runs: the simulator's proxy and functions-framework-go.
//
//	go test -run '^$' -bench FunctionWarmCall -cpu 1 ./gcp/server/
func BenchmarkFunctionWarmCall(b *testing.B) {
	e := newFunctionsEnv(b, Config{})
	f, err := e.create(b, "warm", e.function(e.upload(b, helloSource), "Hello", map[string]string{"GREETING": "bench"}))
	if err != nil {
		b.Fatal(err)
	}
	r := latency.Measure(b, func(int) error {
		if got := get(b, f.Url); got != "hello bench from warm at /\n" {
			return fmt.Errorf("answer %q", got)
		}
		return nil
	})
	fmt.Println(r)
}
