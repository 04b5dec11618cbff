package server

import (
	"context"
	"fmt"
	"testing"

	runpb "cloud.google.com/go/run/apiv2/runpb"

	"github.com/sockerless/sockerless/simulators/kit/latency"
)

// BenchmarkRunJobExecution measures a Cloud Run job execution of a `true`
// container from RunJob to the execution's completion as the SDK sees it
// (GetExecution polled every 10 ms), image already unpacked. Run with
//
//	go test -run '^$' -bench RunJobExecution -cpu 1 ./gcp/server/
func BenchmarkRunJobExecution(b *testing.B) {
	e := newRunEnv(b, Config{})
	job := e.create(b, "bench", e.jobOf("true", nil))
	e.waitExec(b, e.start(b, job.Name, nil), 20e9, completed) // pulls and unpacks the image
	ctx := context.Background()
	r := latency.Measure(b, func(int) error {
		x := e.waitExec(b, e.start(b, job.Name, nil), 20e9, completed)
		if x.SucceededCount != 1 {
			return fmt.Errorf("execution failed: %v", x)
		}
		_, err := e.execs.DeleteExecution(ctx, &runpb.DeleteExecutionRequest{Name: x.Name})
		return err
	})
	fmt.Println(r)
}

// BenchmarkRunServiceRequest measures a request to a Cloud Run service's
// URL answered by its running instance (the sandbox's sh and nc), from
// the client's GET to the whole answer read. Run with
//
//	go test -run '^$' -bench RunServiceRequest -cpu 1 ./gcp/server/
func BenchmarkRunServiceRequest(b *testing.B) {
	e := newServicesEnv(b)
	svc := e.deploy(b, "bench", e.serviceOf(serveScript))
	r := latency.Measure(b, func(int) error {
		if got := get(b, svc.Uri); got != "hello bench \n" {
			return fmt.Errorf("answer %q", got)
		}
		return nil
	})
	fmt.Println(r)
}
