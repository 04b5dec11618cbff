package server

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ecssdk "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func awslogs(group, create string) *ecstypes.LogConfiguration {
	opts := map[string]string{"awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}
	if create != "" {
		opts["awslogs-create-group"] = create
	}
	return &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: opts}
}

func (e *ecsEnv) logLines(t *testing.T, group, stream string) []string {
	t.Helper()
	out, err := e.ops.logs.GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetLogEvents %s/%s: %v", group, stream, err)
	}
	var lines []string
	for _, ev := range out.Events {
		lines = append(lines, *ev.Message)
	}
	return lines
}

// TestECSSidecarTask runs the shape the runner exists for: a non-essential
// sidecar fills a shared volume and exits, the main container waits for
// it to COMPLETE, reads the file and its environment, and everything it
// printed is in CloudWatch Logs when the task is STOPPED.
func TestECSSidecarTask(t *testing.T) {
	e := newECSEnv(t, Config{DataDir: t.TempDir()})
	ctx := context.Background()
	if _, err := e.ops.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecs/app")}); err != nil {
		t.Fatal(err)
	}
	sidecar := e.container("sidecar", "sleep 0.3; cp /etc/hello.txt /shared/msg && echo copied; if test -e /etc/gone.txt; then echo whiteout ignored; fi")
	sidecar.Essential = aws.Bool(false)
	sidecar.MountPoints = []ecstypes.MountPoint{{SourceVolume: aws.String("shared"), ContainerPath: aws.String("/shared")}}
	sidecar.LogConfiguration = awslogs("/ecs/app", "")
	main := e.container("main", "cat /shared/msg; echo \"$GREETING $FROM_IMAGE $(pwd)\" >&2")
	main.Environment = []ecstypes.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("from-definition")}}
	main.WorkingDirectory = aws.String("/work")
	main.MountPoints = sidecar.MountPoints
	main.DependsOn = []ecstypes.ContainerDependency{{ContainerName: aws.String("sidecar"), Condition: ecstypes.ContainerConditionComplete}}
	main.LogConfiguration = awslogs("/ecs/app", "")
	out, err := e.ecs.RegisterTaskDefinition(ctx, &ecssdk.RegisterTaskDefinitionInput{
		Family: aws.String("app"), ContainerDefinitions: []ecstypes.ContainerDefinition{sidecar, main},
		Volumes:     []ecstypes.Volume{{Name: aws.String("shared")}},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := *out.TaskDefinition.TaskDefinitionArn; got != "arn:aws:ecs:us-east-1:000000000000:task-definition/app:1" {
		t.Fatalf("task definition ARN %s", got)
	}
	in := runInput("app")
	in.Overrides = &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{
		Name: aws.String("main"), Environment: []ecstypes.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("from-override")}},
	}}}
	started := e.run(t, in)
	task, seen := e.waitStatus(t, *started.TaskArn, "STOPPED", 15*time.Second)
	seen = append([]string{*started.LastStatus}, seen...)
	seen = slices.Compact(seen)

	order := []string{"PROVISIONING", "PENDING", "RUNNING", "STOPPED"}
	last := -1
	for _, s := range seen {
		i := slices.Index(order, s)
		if i <= last {
			t.Fatalf("statuses out of order: %v", seen)
		}
		last = i
	}
	if seen[0] != "PROVISIONING" || !slices.Contains(seen, "RUNNING") {
		t.Errorf("statuses seen %v; want PROVISIONING first and RUNNING on the way", seen)
	}
	if *task.DesiredStatus != "STOPPED" || *task.StoppedReason != "Essential container in task exited" || task.StopCode != ecstypes.TaskStopCodeEssentialContainerExited {
		t.Errorf("task desired %s, reason %q, code %s", *task.DesiredStatus, aws.ToString(task.StoppedReason), task.StopCode)
	}
	if task.StartedAt == nil || task.StoppedAt == nil || task.StoppedAt.Before(*task.StartedAt) {
		t.Errorf("startedAt %v stoppedAt %v", task.StartedAt, task.StoppedAt)
	}
	for _, name := range []string{"sidecar", "main"} {
		c := containerNamed(task, name)
		if c.ExitCode == nil || *c.ExitCode != 0 || *c.LastStatus != "STOPPED" {
			t.Errorf("%s: exit %v, status %v, reason %q", name, c.ExitCode, aws.ToString(c.LastStatus), aws.ToString(c.Reason))
		}
	}
	id := taskID(*task.TaskArn)
	if got, want := e.logLines(t, "/ecs/app", "app/main/"+id), []string{"hello from the image", "from-override yes /work"}; !slices.Equal(got, want) {
		t.Errorf("main's log lines %q, want %q", got, want)
	}
	if got, want := e.logLines(t, "/ecs/app", "app/sidecar/"+id), []string{"copied"}; !slices.Equal(got, want) {
		t.Errorf("sidecar's log lines %q, want %q", got, want)
	}
	list, err := e.ecs.ListTasks(ctx, &ecssdk.ListTasksInput{Cluster: aws.String(ecsCluster), DesiredStatus: ecstypes.DesiredStatusStopped})
	if err != nil || !slices.Equal(list.TaskArns, []string{*task.TaskArn}) {
		t.Errorf("ListTasks STOPPED: %v %v", list, err)
	}
}

// TestECSTaskFailures proves a task that cannot start ends STOPPED with
// the reason ECS gives, naming what was wrong.
func TestECSTaskFailures(t *testing.T) {
	e := newECSEnv(t, Config{})
	host := strings.TrimPrefix(e.srv.URL(), "http://")
	cases := []struct {
		name       string
		def        func() ecstypes.ContainerDefinition
		wantReason string
		wantCode   ecstypes.TaskStopCode
	}{
		{"tag missing in ECR", func() ecstypes.ContainerDefinition {
			c := e.container("main", "true")
			c.Image = aws.String(host + "/tools:nope")
			return c
		}, "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref " + host + "/tools:nope", ecstypes.TaskStopCodeTaskFailedToStart},
		{"repository missing in ECR", func() ecstypes.ContainerDefinition {
			c := e.container("main", "true")
			c.Image = aws.String(host + "/ghost:latest")
			return c
		}, "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref " + host + "/ghost:latest", ecstypes.TaskStopCodeTaskFailedToStart},
		{"log group missing", func() ecstypes.ContainerDefinition {
			c := e.container("main", "true")
			c.LogConfiguration = awslogs("/ecs/none", "")
			return c
		}, "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.", ecstypes.TaskStopCodeTaskFailedToStart},
		{"essential container exits non-zero", func() ecstypes.ContainerDefinition {
			return e.container("main", "exit 3")
		}, "Essential container in task exited", ecstypes.TaskStopCodeEssentialContainerExited},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			arn := e.register(t, "fail"+string(rune('a'+i)), tc.def())
			task, _ := e.waitStatus(t, *e.run(t, runInput(arn)).TaskArn, "STOPPED", 10*time.Second)
			t.Logf("stoppedReason: %s", aws.ToString(task.StoppedReason))
			if !strings.HasPrefix(aws.ToString(task.StoppedReason), tc.wantReason) || task.StopCode != tc.wantCode {
				t.Errorf("stopped %q (%s), want %q (%s)", aws.ToString(task.StoppedReason), task.StopCode, tc.wantReason, tc.wantCode)
			}
		})
	}
	t.Run("log group created on demand", func(t *testing.T) {
		c := e.container("main", "echo made it")
		c.LogConfiguration = awslogs("/ecs/made", "true")
		task, _ := e.waitStatus(t, *e.run(t, runInput(e.register(t, "mkgroup", c))).TaskArn, "STOPPED", 10*time.Second)
		if got := e.logLines(t, "/ecs/made", "app/main/"+taskID(*task.TaskArn)); !slices.Equal(got, []string{"made it"}) {
			t.Errorf("log lines %q (task stopped: %s)", got, aws.ToString(task.StoppedReason))
		}
	})
}

// TestECSStopTask proves StopTask ends a long-running container promptly
// and records the caller's reason.
func TestECSStopTask(t *testing.T) {
	e := newECSEnv(t, Config{})
	arn := e.run(t, runInput(e.register(t, "sleeper", e.container("main", "sleep 30")))).TaskArn
	e.waitStatus(t, *arn, "RUNNING", 10*time.Second)
	begin := time.Now()
	out, err := e.ecs.StopTask(context.Background(), &ecssdk.StopTaskInput{Cluster: aws.String(ecsCluster), Task: arn, Reason: aws.String("test is done")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Task.DesiredStatus != "STOPPED" {
		t.Errorf("StopTask answered desiredStatus %s", *out.Task.DesiredStatus)
	}
	task, _ := e.waitStatus(t, *arn, "STOPPED", 5*time.Second)
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("stopping took %v", took)
	}
	c := containerNamed(task, "main")
	t.Logf("stopped in %v, exit code %d", time.Since(begin), aws.ToInt32(c.ExitCode))
	if aws.ToString(task.StoppedReason) != "test is done" || task.StopCode != ecstypes.TaskStopCodeUserInitiated || c.ExitCode == nil || *c.ExitCode == 0 {
		t.Errorf("reason %q code %s exit %v", aws.ToString(task.StoppedReason), task.StopCode, c.ExitCode)
	}
}

// TestECSErrors checks the typed errors SDK callers branch on.
func TestECSErrors(t *testing.T) {
	e := newECSEnv(t, Config{})
	ctx := context.Background()
	good := e.register(t, "good", e.container("main", "true"))
	badDep := e.container("main", "true")
	badDep.DependsOn = []ecstypes.ContainerDependency{{ContainerName: aws.String("ghost"), Condition: ecstypes.ContainerConditionStart}}
	healthy := e.container("side", "true")
	healthy.Essential = aws.Bool(false)
	healthyMain := e.container("main", "true")
	healthyMain.DependsOn = []ecstypes.ContainerDependency{{ContainerName: aws.String("side"), Condition: ecstypes.ContainerConditionHealthy}}
	noNet := runInput(good)
	noNet.NetworkConfiguration = nil
	register := func(defs ...ecstypes.ContainerDefinition) error {
		defs = append([]ecstypes.ContainerDefinition{}, defs...) // never nil: the SDK itself refuses a missing list
		_, err := e.ecs.RegisterTaskDefinition(ctx, &ecssdk.RegisterTaskDefinitionInput{Family: aws.String("bad"), ContainerDefinitions: defs, NetworkMode: ecstypes.NetworkModeAwsvpc})
		return err
	}
	missingCluster := runInput(good)
	missingCluster.Cluster = aws.String("nowhere")
	cases := []struct {
		name     string
		call     func() error
		wantType any
		wantMsg  string
	}{
		{"no containers", func() error { return register() }, new(*ecstypes.ClientException), "Container list cannot be empty."},
		{"dependency on an unknown container", func() error { return register(badDep) }, new(*ecstypes.ClientException), "which does not exist"},
		{"HEALTHY dependency is refused", func() error { return register(healthy, healthyMain) }, new(*ecstypes.ClientException), "HEALTHY"},
		{"run in a missing cluster", func() error { _, err := e.ecs.RunTask(ctx, missingCluster); return err }, new(*ecstypes.ClusterNotFoundException), "Cluster not found."},
		{"run without network configuration", func() error { _, err := e.ecs.RunTask(ctx, noNet); return err }, new(*ecstypes.InvalidParameterException), "Network Configuration must be provided"},
		{"run an unknown task definition", func() error { _, err := e.ecs.RunTask(ctx, runInput("nothing:1")); return err }, new(*ecstypes.ClientException), "TaskDefinition not found."},
		{"describe an unknown task definition", func() error {
			_, err := e.ecs.DescribeTaskDefinition(ctx, &ecssdk.DescribeTaskDefinitionInput{TaskDefinition: aws.String("nothing")})
			return err
		}, new(*ecstypes.ClientException), "Unable to describe task definition."},
		{"stop an unknown task", func() error {
			_, err := e.ecs.StopTask(ctx, &ecssdk.StopTaskInput{Cluster: aws.String(ecsCluster), Task: aws.String("0123")})
			return err
		}, new(*ecstypes.InvalidParameterException), "The referenced task was not found."},
		{"list tasks of a missing cluster", func() error {
			_, err := e.ecs.ListTasks(ctx, &ecssdk.ListTasksInput{Cluster: aws.String("nowhere")})
			return err
		}, new(*ecstypes.ClusterNotFoundException), "Cluster not found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !errors.As(err, tc.wantType) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("got %v, want %T containing %q", err, tc.wantType, tc.wantMsg)
			}
		})
	}
}
