package lambda_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// BenchmarkInvokeWarm is a synchronous Invoke through the SDK that lands on
// a warm aws-lambda-go instance.
func BenchmarkInvokeWarm(b *testing.B) {
	_, c := start(b, server.Config{})
	create(b, c, "warm", 10, nil)
	decodeReply(b, invoke(b, c, "warm", map[string]any{"op": "echo"})) // cold start outside the timing
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		decodeReply(b, invoke(b, c, "warm", map[string]any{"op": "echo", "value": "x"}))
		took = append(took, time.Since(t0))
	}
	p50, p99 := percentile(took, 50), percentile(took, 99)
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	fmt.Printf("Lambda Invoke, warm aws-lambda-go instance: p50 %v, p99 %v over %d invocations\n", p50, p99, len(took))
}

// BenchmarkColdStart is the first Invoke after a configuration change: a
// new bootstrap process starts, initialises and answers.
func BenchmarkColdStart(b *testing.B) {
	_, c := start(b, server.Config{})
	create(b, c, "cold", 10, nil)
	decodeReply(b, invoke(b, c, "cold", map[string]any{"op": "echo"})) // unpacks the code once
	var took []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		if _, err := c.UpdateFunctionConfiguration(context.Background(), &awslambda.UpdateFunctionConfigurationInput{
			FunctionName: aws.String("cold"), Description: aws.String(fmt.Sprint("revision ", i)),
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		decodeReply(b, invoke(b, c, "cold", map[string]any{"op": "echo"}))
		took = append(took, time.Since(t0))
	}
	p50 := percentile(took, 50)
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	fmt.Printf("Lambda cold start (process start, init, first Invoke) of an aws-lambda-go bootstrap: p50 %v over %d starts\n", p50, len(took))
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}
