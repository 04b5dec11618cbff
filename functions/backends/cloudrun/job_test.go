package cloudrun

import (
	"errors"
	"strings"
	"testing"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core"
)

// TestResources proves docker run --memory and --cpus become the
// smallest job container Cloud Run offers that holds them, and that what
// no Cloud Run container can hold is refused, naming the limit.
func TestResources(t *testing.T) {
	cases := []struct {
		name       string
		memory     int64
		cpus       int64 // billionths
		cpu, mem   string
		refusedFor string
	}{
		{"unset is 1 CPU with 512 MiB", 0, 0, "1", "512Mi", ""},
		{"a small memory is raised to Cloud Run's least", 64 << 20, 0, "1", "512Mi", ""},
		{"memory is rounded up to MiB", 1<<30 + 1, 0, "1", "1025Mi", ""},
		{"half a CPU is one", 0, 5e8, "1", "512Mi", ""},
		{"3 CPUs are 4, with the 2 GiB they need", 0, 3e9, "4", "2048Mi", ""},
		{"8 CPUs need 4 GiB", 8 << 30, 8e9, "8", "8192Mi", ""},
		{"more than 32 GiB is refused", 33 << 30, 0, "", "", "32 GiB"},
		{"more than 8 CPUs is refused", 0, 9e9, "", "", "--cpus 9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := resources(tc.memory, tc.cpus)
			if tc.refusedFor != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refusedFor) || !errors.Is(err, core.ErrUnsupported) {
					t.Fatalf("got %v, %v; want an ErrUnsupported naming %q", r, err, tc.refusedFor)
				}
				return
			}
			if err != nil || r.Limits["cpu"] != tc.cpu || r.Limits["memory"] != tc.mem {
				t.Fatalf("got %v, %v; want cpu %s, memory %s", r.GetLimits(), err, tc.cpu, tc.mem)
			}
		})
	}
}

// TestTemplate proves a start becomes one task, never retried, whose
// container runs the agent wrapping the command line with the
// container's environment, directory and user, and that a variable
// Cloud Run reserves is refused.
func TestTemplate(t *testing.T) {
	d := &Driver{cfg: Config{Timeout: maxTimeout, ServiceAccount: "jobs@p.iam.gserviceaccount.com"}}
	w := core.Workload{ID: "c1", Token: "tok", Main: proto.ProcessSpec{
		Args: []string{"version"}, Env: []string{"A=1", "B=x=y"}, Dir: "/work", User: "nobody", Stdin: true,
	}}
	tmpl, err := d.template(w, "img@sha256:1", "ws://edge/agent/v1/connect")
	if err != nil {
		t.Fatal(err)
	}
	c := tmpl.Template.Containers[0]
	env := map[string]string{}
	for _, v := range c.Env {
		env[v.Name] = v.GetValue()
	}
	switch {
	case tmpl.TaskCount != 1 || tmpl.Template.GetMaxRetries() != 0:
		t.Errorf("task count %d, retries %d; want one task, never retried", tmpl.TaskCount, tmpl.Template.GetMaxRetries())
	case strings.Join(c.Command, " ") != "/usr/local/bin/sockerless-agent --" || strings.Join(c.Args, " ") != "version":
		t.Errorf("command %q args %q: want the agent, --, then the command line", c.Command, c.Args)
	case c.WorkingDir != "/work" || c.Image != "img@sha256:1" || tmpl.Template.ServiceAccount != "jobs@p.iam.gserviceaccount.com":
		t.Errorf("container %v", c)
	case env["A"] != "1" || env["B"] != "x=y" || env["SOCKERLESS_USER"] != "nobody" || env["SOCKERLESS_TOKEN"] != "tok" ||
		env["SOCKERLESS_STDIN"] != "true" || env["SOCKERLESS_EDGE_URL"] != "ws://edge/agent/v1/connect":
		t.Errorf("environment %v", env)
	}
	w.Main.Env = []string{"CLOUD_RUN_TASK_INDEX=3"}
	if _, err := d.template(w, "img", ""); err == nil || !errors.Is(err, core.ErrUnsupported) || !strings.Contains(err.Error(), "Cloud Run reserves it") {
		t.Errorf("a reserved variable: %v, want it refused saying Cloud Run reserves it", err)
	}
}

// TestExitStatus proves how a completed execution reads as Docker's
// exit: the task's code; a cancel without one is 137; a task whose
// container never ran is 128 with Cloud Run's reason.
func TestExitStatus(t *testing.T) {
	done := timestamppb.Now()
	attempt := func(c codes.Code, msg string, code int32) *runpb.Task {
		return &runpb.Task{LastAttemptResult: &runpb.TaskAttemptResult{Status: &spb.Status{Code: int32(c), Message: msg}, ExitCode: code}}
	}
	cases := []struct {
		name string
		exec *runpb.Execution
		task *runpb.Task
		code int
		err  string
	}{
		{"succeeded", &runpb.Execution{CompletionTime: done}, attempt(codes.OK, "", 0), 0, ""},
		{"exited 3", &runpb.Execution{CompletionTime: done}, attempt(codes.Unknown, "exit code 3", 3), 3, ""},
		{"cancelled while running, killed by SIGTERM", &runpb.Execution{CompletionTime: done}, attempt(codes.Canceled, "", 143), 143, ""},
		{"cancelled without a code", &runpb.Execution{CompletionTime: done}, attempt(codes.Canceled, "", 0), 137, ""},
		{"cancelled before the task started", &runpb.Execution{CompletionTime: done, CancelledCount: 1}, &runpb.Task{}, 137, ""},
		{"the image could not be pulled", &runpb.Execution{CompletionTime: done}, attempt(codes.Unknown, "Image 'x' could not be pulled", 0), 128,
			"Cloud Run execution failed: Image 'x' could not be pulled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := exitStatus(tc.exec, tc.task)
			if !st.Known || st.Running || st.ExitCode != tc.code || st.Error != tc.err || !st.FinishedAt.Equal(done.AsTime()) {
				t.Errorf("status %+v, want exit %d with error %q at %v", st, tc.code, tc.err, done.AsTime())
			}
		})
	}
}
