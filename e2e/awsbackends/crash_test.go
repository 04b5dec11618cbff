package awsbackends

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// testCrash kills the control-plane function's process and the edge
// while `docker run` is attached to a container, restarts the edge, and
// checks that the container's exit, logs and listing come out right and
// that removing it leaves no task or function behind.
func testCrash(t *testing.T, d *awsdeploy.Deployment, edgeBin, backend, img string) {
	dir, agentAddr := t.TempDir(), awssimtest.FreeAddr(t)
	e := d.StartEdge(t, edgeBin, backend, dir, agentAddr)
	run(t, e, step{args: []string{"pull", "@img@"}}, img)
	attached := make(chan harness.Result, 1)
	go func() {
		attached <- e.DockerWith(harness.RunOpts{Timeout: 2 * time.Minute}, "run", "--name", "crash", "--entrypoint", "sh", img,
			"-c", "echo before; sleep 3; echo after; exit 5")
	}()
	run(t, e, step{args: []string{"ps", "--filter", "name=crash", "--format", "{{.State}}"}, out: str("running"), until: time.Minute}, img)

	killed := d.KillFunction(t, d.Outputs.Functions[backend])
	e.Kill()
	if killed == 0 {
		t.Errorf("no process of function %s was found to kill", d.Outputs.Functions[backend])
	}
	r := <-attached
	t.Logf("the attached docker run ended with %d when the edge died: %s", r.Code, strings.TrimSpace(r.Stderr))
	_ = e.Stop()

	e = d.StartEdge(t, edgeBin, backend, dir, agentAddr)
	run(t, e, step{args: []string{"wait", "crash"}, out: str("5")}, img)
	run(t, e, step{args: []string{"ps", "-a", "--filter", "name=crash", "--format", "{{.Names}} {{.State}} {{.Status}}"}, has: []string{"crash exited Exited (5)"}}, img)
	run(t, e, step{args: []string{"logs", "crash"}, has: []string{"before", "after"}, until: 30 * time.Second}, img)
	run(t, e, step{args: []string{"rm", "crash"}, out: str("crash")}, img)
	if left := leftRunning(t, d, backend); len(left) > 0 {
		t.Errorf("left behind after docker rm: %v", left)
	}
}

// leftRunning lists the backend's workloads still in the cloud: running
// tasks, or workload functions.
func leftRunning(t *testing.T, d *awsdeploy.Deployment, backend string) []string {
	ctx := t.Context()
	var left []string
	switch backend {
	case "ecs":
		out, err := awsecs.NewFromConfig(d.Config).ListTasks(ctx, &awsecs.ListTasksInput{Cluster: aws.String(d.Outputs.ClusterName)})
		if err != nil {
			t.Fatal(err)
		}
		left = out.TaskArns
	case "lambda":
		out, err := awslambda.NewFromConfig(d.Config).ListFunctions(ctx, &awslambda.ListFunctionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			if name := aws.ToString(f.FunctionName); strings.HasPrefix(name, "sockerless-w-") {
				left = append(left, name)
			}
		}
		groups, err := cloudwatchlogs.NewFromConfig(d.Config).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/sockerless-w-")})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups.LogGroups {
			left = append(left, aws.ToString(g.LogGroupName))
		}
	}
	return left
}
