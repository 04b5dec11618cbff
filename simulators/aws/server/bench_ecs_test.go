package server

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// BenchmarkECSRunTask measures RunTask of a `true` container (image
// already unpacked) to RUNNING and to STOPPED, by the task's own
// timestamps (createdAt → startedAt, createdAt → stoppedAt) and by the
// wall clock of a client polling DescribeTasks until STOPPED.
func BenchmarkECSRunTask(b *testing.B) {
	e := newECSEnv(b, Config{})
	arn := e.register(b, "bench", e.container("main", "true"))
	e.waitStatus(b, *e.run(b, runInput(arn)).TaskArn, "STOPPED", 10*time.Second) // unpack the image once
	var toRunning, toStopped, observed time.Duration
	b.ResetTimer()
	for b.Loop() {
		begin := time.Now()
		task, _ := e.waitStatus(b, *e.run(b, runInput(arn)).TaskArn, "STOPPED", 10*time.Second)
		observed += time.Since(begin)
		if aws.ToInt32(containerNamed(task, "main").ExitCode) != 0 || task.StartedAt == nil {
			b.Fatalf("bench task failed: %s", aws.ToString(task.StoppedReason))
		}
		toRunning += task.StartedAt.Sub(*task.CreatedAt)
		toStopped += task.StoppedAt.Sub(*task.CreatedAt)
	}
	n := float64(b.N)
	b.ReportMetric(float64(toRunning.Microseconds())/n/1000, "ms-to-RUNNING")
	b.ReportMetric(float64(toStopped.Microseconds())/n/1000, "ms-to-STOPPED")
	b.ReportMetric(float64(observed.Microseconds())/n/1000, "ms-observed-STOPPED")
	b.Logf("RunTask of `true`: RUNNING after %.2f ms, STOPPED after %.2f ms (by task timestamps, ms resolution)",
		float64(toRunning.Microseconds())/n/1000, float64(toStopped.Microseconds())/n/1000)
	b.Logf("RunTask to a DescribeTasks poller (5 ms interval) seeing STOPPED: %.2f ms", float64(observed.Microseconds())/n/1000)
}
