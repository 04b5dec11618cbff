package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/sandbox"
)

// TestECSTaskRunsTheAgent runs tasks shaped as the ECS backend shapes
// them: a sidecar from the agent's image installs the real agent binary
// onto a shared volume, and the user's container, once the sidecar has
// succeeded, runs the installed agent wrapping the user's command. The
// sandbox runs the agent in-process, the agent runs the command in the
// sandbox over the user's image and reports its exit to the edge's hub.
func TestECSTaskRunsTheAgent(t *testing.T) {
	s := startSim(t)
	url, exits := serveHub(t)
	agentImage := s.push(t, "sockerless-agent", image(t, v1.Config{Entrypoint: []string{"/usr/local/bin/sockerless-agent"}, Cmd: []string{"version"}},
		layer(t, map[string]file{"usr/local/bin/sockerless-agent": {string(agentBinary(t)), 0o755}})))
	userImage := s.push(t, "user", image(t, v1.Config{Cmd: []string{"sh"}}, userLayer(t)))
	c := ecs.NewFromConfig(s.cfg)
	if _, err := c.CreateCluster(context.Background(), &ecs.CreateClusterInput{ClusterName: aws.String("sockerless")}); err != nil {
		t.Fatal(err)
	}

	t.Run("main runs to its end", func(t *testing.T) {
		arn := runAgentTask(t, c, "c1", agentImage, userImage, url, "echo hi; cat /etc/greeting")
		task := waitStopped(t, c, arn)
		for _, ct := range task.Containers {
			if ct.ExitCode == nil || *ct.ExitCode != 0 {
				t.Errorf("container %s: exit %v, reason %q", *ct.Name, ct.ExitCode, aws.ToString(ct.Reason))
			}
		}
		// The agent exits only once the hub has acknowledged the report.
		if e := nextExit(t, exits, time.Second); e != (exitReport{"c1", 0}) {
			t.Fatalf("hub saw %+v, want c1 exiting 0", e)
		}
		id := arn[strings.LastIndex(arn, "/")+1:]
		if got, want := logLines(t, s, "/sockerless/tasks", "sockerless/main/"+id), "hi\nfrom the user's image\n"; got != want {
			t.Fatalf("main's CloudWatch log %q, want %q", got, want)
		}
	})

	t.Run("StopTask ends the agent and main", func(t *testing.T) {
		arn := runAgentTask(t, c, "c2", agentImage, userImage, url, "echo started; sleep 1000")
		sleeping := func() bool {
			for _, p := range sandbox.Processes() {
				if strings.Join(p.Args, " ") == "sleep 1000" {
					return true
				}
			}
			return false
		}
		waitFor(t, "main to start", sleeping)
		if _, err := c.StopTask(context.Background(), &ecs.StopTaskInput{Cluster: aws.String("sockerless"), Task: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		task := waitStopped(t, c, arn)
		for _, ct := range task.Containers {
			if aws.ToString(ct.Name) == "main" && (ct.ExitCode == nil || *ct.ExitCode != 143) {
				t.Errorf("main: exit %v, want 143 (SIGTERM)", ct.ExitCode)
			}
		}
		waitFor(t, "main's processes to end", func() bool { return !sleeping() })
	})
}

// runAgentTask registers and runs a task for container id whose main
// container runs script under the installed agent.
func runAgentTask(t *testing.T, c *ecs.Client, id, agentImage, userImage, edgeURL, script string) string {
	t.Helper()
	ctx := context.Background()
	mount := []ecstypes.MountPoint{{SourceVolume: aws.String("sockerless"), ContainerPath: aws.String("/sockerless")}}
	logs := func(prefix string) *ecstypes.LogConfiguration {
		return &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": "/sockerless/tasks", "awslogs-create-group": "true", "awslogs-region": "us-east-1", "awslogs-stream-prefix": prefix}}
	}
	def, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(id), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu:                     aws.String("256"), Memory: aws.String("512"),
		Volumes: []ecstypes.Volume{{Name: aws.String("sockerless")}},
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{
				Name: aws.String("sockerless-agent"), Image: aws.String(agentImage), Essential: aws.Bool(false),
				Command: []string{"install", "/sockerless/agent"}, MountPoints: mount, LogConfiguration: logs("agent"),
			},
			{
				Name: aws.String("main"), Image: aws.String(userImage), Essential: aws.Bool(true),
				EntryPoint:  []string{"/sockerless/agent", "--"},
				Command:     []string{"sh", "-c", script},
				DependsOn:   []ecstypes.ContainerDependency{{ContainerName: aws.String("sockerless-agent"), Condition: ecstypes.ContainerConditionSuccess}},
				MountPoints: mount, LogConfiguration: logs("sockerless"),
				Environment: []ecstypes.KeyValuePair{
					{Name: aws.String("SOCKERLESS_EDGE_URL"), Value: aws.String(edgeURL)},
					{Name: aws.String("SOCKERLESS_CONTAINER_ID"), Value: aws.String(id)},
					{Name: aws.String("SOCKERLESS_TOKEN"), Value: aws.String("token-" + id)},
				},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{
		Cluster: aws.String("sockerless"), TaskDefinition: def.TaskDefinition.TaskDefinitionArn, LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-sim"}}},
	})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("RunTask: %v %+v", err, run)
	}
	return *run.Tasks[0].TaskArn
}

func waitStopped(t *testing.T, c *ecs.Client, arn string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for {
		out, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: aws.String("sockerless"), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if task := out.Tasks[0]; aws.ToString(task.LastStatus) == "STOPPED" {
			return task
		}
		if time.Now().After(deadline) {
			t.Fatalf("task did not stop: %+v", out.Tasks[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logLines is a CloudWatch Logs stream's messages, one line each.
func logLines(t *testing.T, s *sim, group, stream string) string {
	t.Helper()
	out, err := cloudwatchlogs.NewFromConfig(s.cfg).GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetLogEvents %s %s: %v", group, stream, err)
	}
	var b strings.Builder
	for _, e := range out.Events {
		b.WriteString(aws.ToString(e.Message) + "\n")
	}
	return b.String()
}
