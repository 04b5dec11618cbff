package server

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	run "cloud.google.com/go/run/apiv2"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sockerless/sockerless/simulators/kit/imagetest"
)

// runEnv is a running simulator, the Cloud Run SDK clients pointed at it
// and an image pushed to a loopback registry the test started.
type runEnv struct {
	srv    *Server
	jobs   *run.JobsClient
	execs  *run.ExecutionsClient
	tasks  *run.TasksClient
	image  string // 127.0.0.1:PORT/tools:v1
	reg    string // 127.0.0.1:PORT
	parent string // projects/P/locations/us-central1
}

func newRunEnv(t testing.TB, cfg Config) *runEnv {
	t.Helper()
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	e := &runEnv{srv: startServer(t, cfg), reg: host, image: host + "/tools:v1",
		parent: "projects/" + newProject(t) + "/locations/us-central1"}
	ref, err := name.ParseReference(e.image, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, imagetest.Tools(t)); err != nil {
		t.Fatal(err)
	}
	e.dial(t)
	return e
}

// dial makes the SDK clients as an application configures them for an
// emulator: the simulator's address as endpoint, no credentials.
func (e *runEnv) dial(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	opts := []option.ClientOption{option.WithEndpoint(e.srv.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
	var err error
	if e.jobs, err = run.NewJobsClient(ctx, opts...); err != nil {
		t.Fatal(err)
	}
	if e.execs, err = run.NewExecutionsClient(ctx, opts...); err != nil {
		t.Fatal(err)
	}
	if e.tasks, err = run.NewTasksClient(ctx, opts...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.jobs.Close(); e.execs.Close(); e.tasks.Close() })
}

// jobOf is a job running script in the pushed image with sh -c.
func (e *runEnv) jobOf(script string, tune func(*runpb.ExecutionTemplate)) *runpb.Job {
	tmpl := &runpb.ExecutionTemplate{Template: &runpb.TaskTemplate{
		Containers: []*runpb.Container{{Image: e.image, Command: []string{"sh", "-c"}, Args: []string{script}}},
	}}
	if tune != nil {
		tune(tmpl)
	}
	return &runpb.Job{Template: tmpl}
}

func (e *runEnv) create(t testing.TB, id string, j *runpb.Job) *runpb.Job {
	t.Helper()
	ctx := context.Background()
	op, err := e.jobs.CreateJob(ctx, &runpb.CreateJobRequest{Parent: e.parent, JobId: id, Job: j})
	if err != nil {
		t.Fatal(err)
	}
	got, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// start runs the job and returns its execution's name.
func (e *runEnv) start(t testing.TB, job string, o *runpb.RunJobRequest_Overrides) string {
	t.Helper()
	op, err := e.jobs.RunJob(context.Background(), &runpb.RunJobRequest{Name: job, Overrides: o})
	if err != nil {
		t.Fatal(err)
	}
	meta, err := op.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	return meta.Name
}

// waitExec polls the execution until done says so.
func (e *runEnv) waitExec(t testing.TB, name string, within time.Duration, done func(*runpb.Execution) bool) *runpb.Execution {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		x, err := e.execs.GetExecution(context.Background(), &runpb.GetExecutionRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if done(x) {
			return x
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution not there after %v: %v", within, x)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func completed(x *runpb.Execution) bool { return x.CompletionTime != nil }

func (e *runEnv) listTasks(t testing.TB, exec string) []*runpb.Task {
	t.Helper()
	var out []*runpb.Task
	it := e.tasks.ListTasks(context.Background(), &runpb.ListTasksRequest{Parent: exec})
	for {
		task, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, task)
	}
}

func condition(conds []*runpb.Condition, typ string) *runpb.Condition {
	for _, c := range conds {
		if c.Type == typ {
			return c
		}
	}
	return &runpb.Condition{}
}

func retries(n int32) *runpb.TaskTemplate_MaxRetries {
	return &runpb.TaskTemplate_MaxRetries{MaxRetries: n}
}

func seconds(n float64) *durationpb.Duration {
	return durationpb.New(time.Duration(n * float64(time.Second)))
}
