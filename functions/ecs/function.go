package ecs

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/sockerless/sockerless/functions/awsfn"
	"github.com/sockerless/sockerless/functions/core"
)

// Environment variables of the ecs backend's function, besides awsfn's.
const (
	EnvCluster        = "SOCKERLESS_ECS_CLUSTER"
	EnvSubnets        = "SOCKERLESS_ECS_SUBNETS"         // comma-separated
	EnvSecurityGroups = "SOCKERLESS_ECS_SECURITY_GROUPS" // comma-separated
	EnvAssignPublicIP = "SOCKERLESS_ECS_ASSIGN_PUBLIC_IP"
	EnvExecutionRole  = "SOCKERLESS_ECS_EXECUTION_ROLE"
	EnvTaskRole       = "SOCKERLESS_ECS_TASK_ROLE"
)

// Function is the ecs backend as a control-plane function.
var Function = awsfn.Backend{Name: Backend, Compute: func(ctx context.Context, env awsfn.Env) (core.Compute, error) {
	public, _ := strconv.ParseBool(env.Getenv(EnvAssignPublicIP))
	return New(ctx, Config{
		ECS: awsecs.NewFromConfig(env.AWS), Logs: cloudwatchlogs.NewFromConfig(env.AWS),
		Region: env.AWS.Region, Cluster: env.Getenv(EnvCluster), LogGroup: env.Getenv(awsfn.EnvLogGroup),
		Subnets: awsfn.List(env.Getenv(EnvSubnets)), SecurityGroups: awsfn.List(env.Getenv(EnvSecurityGroups)),
		AssignPublicIP: public, ExecutionRole: env.Getenv(EnvExecutionRole), TaskRole: env.Getenv(EnvTaskRole),
		AgentImage: env.Getenv(awsfn.EnvAgentImage), AgentURL: env.Getenv(awsfn.EnvAgentURL),
	})
}}
