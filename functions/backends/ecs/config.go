// Package ecs runs containers as Amazon ECS Fargate tasks: core's
// Compute over the ECS and CloudWatch Logs APIs.
//
// A container is one task of a task definition registered for it (family
// <prefix>-<container id>). The task has two containers: the agent
// sidecar, from the agent image, copies the agent binary into a task
// volume and exits; the main container runs the user's image with that
// binary as its entrypoint wrapping the original command line, so the
// agent dials home to the edge for attach, exec and the exit status.
// Output goes to CloudWatch Logs through the awslogs driver; the exit
// code, when no agent reported it, comes from DescribeTasks; stop and
// kill without an agent are StopTask.
//
// The driver keeps nothing: every answer comes from ECS, found by the
// task definition family.
package ecs

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
)

// Backend is the backend's name in `docker info` and in messages.
const Backend = "ecs"

// Config wires a Driver to one cluster.
type Config struct {
	ECS  *awsecs.Client
	Logs *cloudwatchlogs.Client
	// Region is where the log group is (awslogs-region).
	Region  string
	Cluster string
	// LogGroup receives the workloads' output; it must exist.
	LogGroup string
	// Subnets, SecurityGroups and AssignPublicIP are the tasks' awsvpc
	// network; with no subnets, RunTask gets no network configuration
	// (fine for the simulator, refused by real Fargate).
	Subnets        []string
	SecurityGroups []string
	AssignPublicIP bool
	// ExecutionRole lets Fargate pull from ECR and write logs; TaskRole
	// is the workload's own role ("" for none).
	ExecutionRole string
	TaskRole      string
	// AgentImage holds the agent binary at agentimage.Path (the agent image
	// the Makefile pushes to ECR).
	AgentImage string
	// AgentURL is where agents dial the edge when the call that started
	// the container did not say (see call.AgentURLHeader).
	AgentURL string
	// FamilyPrefix names the task definitions ("sockerless").
	FamilyPrefix string
	// Volumes keeps named volumes as EFS access points, which tasks
	// mount; nil leaves the backend without volumes.
	Volumes *efsvolumes.Volumes
	// Linger is how long a task stays after its main process exits,
	// serving docker cp out of the stopped container (a task's
	// filesystem goes with it); docker rm or a new start stops it
	// sooner. 0 stops tasks at the exit. See docs/stopped-files.md.
	Linger time.Duration
}

// DefaultLinger is Config.Linger when EnvLinger is not set: long enough
// for a CI runner to copy a job's artifacts out, short enough that a
// container nobody removes costs little (see docs/stopped-files.md).
const DefaultLinger = 5 * time.Minute

// Paths of the agent inside the task.
const (
	// agentDir is the task volume the sidecar installs the agent into,
	// mounted read-only in the main container.
	agentDir    = "/sockerless"
	agentVolume = "sockerless-agent"
	// Container names in the task definition.
	sidecarName = "sockerless-agent"
	mainName    = "main"
)

func (c Config) check() error {
	return remotecompute.CheckConfig(Backend,
		remotecompute.Need("cluster", c.Cluster), remotecompute.Need("log group", c.LogGroup),
		remotecompute.Need("agent image", c.AgentImage), remotecompute.Need("region", c.Region),
		remotecompute.Setting{Name: "ECS and CloudWatch Logs clients", Set: c.ECS != nil && c.Logs != nil})
}

// family is the task definition family of a container.
func (d *Driver) family(id string) string { return d.cfg.FamilyPrefix + "-" + id }
