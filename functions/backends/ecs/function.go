package ecs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
)

// Environment variables of the ecs backend's function, besides host's and awshost's.
const (
	EnvCluster        = "SOCKERLESS_ECS_CLUSTER"
	EnvSubnets        = "SOCKERLESS_ECS_SUBNETS"         // comma-separated
	EnvSecurityGroups = "SOCKERLESS_ECS_SECURITY_GROUPS" // comma-separated
	EnvAssignPublicIP = "SOCKERLESS_ECS_ASSIGN_PUBLIC_IP"
	EnvExecutionRole  = "SOCKERLESS_ECS_EXECUTION_ROLE"
	EnvTaskRole       = "SOCKERLESS_ECS_TASK_ROLE"
	// EnvLinger is Config.Linger as a Go duration ("5m", "0" for none).
	EnvLinger = "SOCKERLESS_ECS_LINGER"
)

// Function is the ecs backend as a control-plane function.
var Function = awshost.Function{Name: Backend, Compute: func(ctx context.Context, env awshost.Env) (core.Compute, error) {
	public, _ := strconv.ParseBool(env.Getenv(EnvAssignPublicIP))
	linger := DefaultLinger
	if v := env.Getenv(EnvLinger); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%s backend: %s=%q is not a duration such as 5m or 0", Backend, EnvLinger, v)
		}
		linger = d
	}
	return New(ctx, Config{
		ECS: awsecs.NewFromConfig(env.AWS), Logs: env.Logs,
		Region: env.AWS.Region, Cluster: env.Getenv(EnvCluster), LogGroup: env.LogGroup,
		Subnets: host.List(env.Getenv(EnvSubnets)), SecurityGroups: host.List(env.Getenv(EnvSecurityGroups)),
		AssignPublicIP: public, ExecutionRole: env.Getenv(EnvExecutionRole), TaskRole: env.Getenv(EnvTaskRole),
		AgentImage: env.AgentImage, AgentURL: env.AgentURL, Volumes: efsvolumes.FromEnv(env.AWS, env.Getenv),
		Linger: linger,
	})
}}
