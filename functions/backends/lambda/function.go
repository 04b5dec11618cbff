// Package lambda runs containers as AWS Lambda functions: core's Compute
// over the Lambda and CloudWatch Logs APIs.
//
// A container is a container-image function made, without any Docker
// build, from the user's image with the agent image's layers appended by
// go-containerregistry and the agent as entrypoint; the result is pushed
// to the workload repository in ECR. Each start invokes the function
// asynchronously with the container's command line and agent token
// (agent/lambdart.Invocation): the agent is the function's runtime, runs
// the command and dials home to the edge for attach, exec and the exit
// status. Output is in the function's CloudWatch log group.
//
// Lambda has no long-running containers: a run ends at the function's
// timeout (15 minutes at most), and nothing stops an invocation from
// outside but its agent (docker stop and kill go through the edge).
package lambda

import (
	"context"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
)

// Backend is the backend's name in `docker info` and in messages.
const Backend = "lambda"

// Environment variables of the lambda backend's function, besides host's and awshost's.
const (
	// EnvRole is the execution role of the workload functions.
	EnvRole = "SOCKERLESS_LAMBDA_ROLE"
	// EnvRepository is the ECR repository the function images go to.
	EnvRepository = host.EnvWorkloadRepository
	// EnvFunctionPrefix names workload functions ("sockerless-w-").
	EnvFunctionPrefix = "SOCKERLESS_FUNCTION_PREFIX"
	// EnvSubnets and EnvSecurityGroups (comma-separated) are the workload
	// functions' VPC, which Lambda needs to mount the volumes' file system.
	EnvSubnets        = "SOCKERLESS_LAMBDA_SUBNETS"
	EnvSecurityGroups = "SOCKERLESS_LAMBDA_SECURITY_GROUPS"
)

// Function is the lambda backend as a control-plane function.
var Function = awshost.Function{Name: Backend, Compute: func(ctx context.Context, env awshost.Env) (core.Compute, error) {
	return New(ctx, Config{
		Lambda: awslambda.NewFromConfig(env.AWS), Logs: env.Logs, Keychain: env.Keychain,
		Role: env.Getenv(EnvRole), Repository: env.WorkloadRepository, AgentImage: env.AgentImage,
		AgentURL: env.AgentURL, FunctionPrefix: env.Getenv(EnvFunctionPrefix), LogGroup: env.LogGroup,
		Volumes: efsvolumes.FromEnv(env.AWS, env.Getenv), Subnets: host.List(env.Getenv(EnvSubnets)),
		SecurityGroups: host.List(env.Getenv(EnvSecurityGroups)),
	})
}}
