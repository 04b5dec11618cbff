package ecs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/agentimage"
)

// taskDefinition is the task that runs w: the agent sidecar, then the
// user's image with the agent wrapping its command line.
func (d *Driver) taskDefinition(w core.Workload, agentURL string) *awsecs.RegisterTaskDefinitionInput {
	cpu, mem := fargateSize(w.MemoryBytes)
	env := []types.KeyValuePair{}
	// The healthcheck, if any, rides with the user's environment.
	for _, kv := range append(append([]string{}, w.Main.Env...), w.Health.Env()...) {
		k, v, _ := strings.Cut(kv, "=")
		env = append(env, types.KeyValuePair{Name: aws.String(k), Value: aws.String(v)})
	}
	for k, v := range map[string]string{
		"SOCKERLESS_EDGE_URL":     agentURL,
		"SOCKERLESS_CONTAINER_ID": w.ID,
		"SOCKERLESS_TOKEN":        w.Token,
		"SOCKERLESS_STDIN":        strconv.FormatBool(w.Main.Stdin),
		"SOCKERLESS_TTY":          strconv.FormatBool(w.Main.TTY),
		"SOCKERLESS_HOLD_MAIN":    strconv.FormatBool(w.HoldMain),
		"SOCKERLESS_LINGER":       d.cfg.Linger.String(),
	} {
		env = append(env, types.KeyValuePair{Name: aws.String(k), Value: aws.String(v)})
	}
	logs := func() *types.LogConfiguration {
		return &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": d.cfg.LogGroup, "awslogs-region": d.cfg.Region, "awslogs-stream-prefix": w.ID,
		}}
	}
	agentMount := func(ro bool) []types.MountPoint {
		return []types.MountPoint{{SourceVolume: aws.String(agentVolume), ContainerPath: aws.String(agentDir), ReadOnly: aws.Bool(ro)}}
	}
	main := types.ContainerDefinition{
		Name:  aws.String(mainName),
		Image: aws.String(w.ImageRef),
		// "--" so a command named like an agent subcommand is still the
		// command.
		EntryPoint:       []string{agentDir + "/agent", "--"},
		Command:          w.Main.Args,
		Environment:      env,
		Essential:        aws.Bool(true),
		MountPoints:      agentMount(true),
		LogConfiguration: logs(),
		DependsOn:        []types.ContainerDependency{{ContainerName: aws.String(sidecarName), Condition: types.ContainerConditionSuccess}},
		Interactive:      aws.Bool(w.Main.Stdin),
		PseudoTerminal:   aws.Bool(w.Main.TTY),
	}
	if w.Main.Dir != "" {
		main.WorkingDirectory = aws.String(w.Main.Dir)
	}
	if w.Main.User != "" {
		main.User = aws.String(w.Main.User)
	}
	in := &awsecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(d.family(w.ID)),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		NetworkMode:             types.NetworkModeAwsvpc,
		Cpu:                     aws.String(strconv.Itoa(cpu)),
		Memory:                  aws.String(strconv.Itoa(mem)),
		Volumes:                 []types.Volume{{Name: aws.String(agentVolume)}},
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:             aws.String(sidecarName),
			Image:            aws.String(d.cfg.AgentImage),
			EntryPoint:       []string{agentimage.Path},
			Command:          []string{"install", agentDir + "/agent"},
			Essential:        aws.Bool(false),
			MountPoints:      agentMount(false),
			LogConfiguration: logs(),
		}, main},
		Tags: []types.Tag{{Key: aws.String("sockerless:container"), Value: aws.String(w.ID)}},
	}
	if d.cfg.ExecutionRole != "" {
		in.ExecutionRoleArn = aws.String(d.cfg.ExecutionRole)
	}
	if d.cfg.TaskRole != "" {
		in.TaskRoleArn = aws.String(d.cfg.TaskRole)
	}
	return in
}

// fargateSizes are Fargate's CPU units with the largest memory (MiB)
// each allows.
var fargateSizes = []struct{ cpu, maxMem int }{{256, 2048}, {512, 4096}, {1024, 8192}, {2048, 16384}, {4096, 30720}}

// fargateSize is the smallest Fargate task size holding memory bytes
// (docker run --memory); 0 gets the smallest task, 0.25 vCPU and 512 MiB.
func fargateSize(memory int64) (cpu, mem int) {
	mib := int((memory + 1<<20 - 1) >> 20)
	switch {
	case mib <= 512:
		return 256, 512
	case mib <= 1024:
		return 256, 1024
	}
	mem = (mib + 1023) / 1024 * 1024
	for _, s := range fargateSizes {
		if mem <= s.maxMem {
			return s.cpu, mem
		}
	}
	return 4096, 30720
}

// taskFailure words RunTask's failures as an error.
func taskFailure(f []types.Failure) error {
	var parts []string
	for _, x := range f {
		parts = append(parts, fmt.Sprintf("%s: %s", aws.ToString(x.Reason), aws.ToString(x.Detail)))
	}
	return fmt.Errorf("ECS RunTask failed: %s", strings.Join(parts, "; "))
}
