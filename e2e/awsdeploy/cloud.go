package awsdeploy

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/platform/aws/lambdainvoke"
)

// Cloud is AWS for the backend e2e suites: the ecs and lambda backends
// on the AWS simulator.
type Cloud struct{}

func (Cloud) Name() string       { return "aws" }
func (Cloud) Backends() []string { return []string{ecs.Backend, lambda.Backend} }
func (Cloud) Invoke() string     { return "Lambda Invoke" }

func (Cloud) Deploy(t testing.TB) cloud.Deployment { return Deploy(t) }

// Handler invokes backend's control-plane function with Lambda Invoke.
func (d *Deployment) Handler(backend string) call.Handler {
	return lambdainvoke.New(awslambda.NewFromConfig(d.Config), d.Outputs.Functions[backend])
}

func (d *Deployment) RegistryHost() string { return d.Registry }

// KillBackend kills backend's control-plane function's processes.
func (d *Deployment) KillBackend(t testing.TB, backend string) int {
	return d.KillFunction(t, d.Outputs.Functions[backend])
}

// LeftRunning lists the backend's workloads still in the cloud: running
// tasks, or workload functions and their log groups.
func (d *Deployment) LeftRunning(t testing.TB, backend string) []string {
	t.Helper()
	ctx := t.Context()
	var left []string
	switch backend {
	case ecs.Backend:
		out, err := awsecs.NewFromConfig(d.Config).ListTasks(ctx, &awsecs.ListTasksInput{Cluster: aws.String(d.Outputs.ClusterName)})
		if err != nil {
			t.Fatal(err)
		}
		left = out.TaskArns
	case lambda.Backend:
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
