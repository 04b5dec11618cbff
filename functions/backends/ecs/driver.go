package ecs

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
)

// Driver is core.Compute on ECS Fargate. A task is defined when it
// starts, with the command line of that start, so there is nothing to
// prepare; its filesystem exists only while it runs, and then the agent
// serves docker cp: for Config.Linger after main's exit too (core.Lingerer).
type Driver struct {
	remotecompute.Base
	cfg Config
}

var _ core.Lingerer = (*Driver)(nil)

// New checks cfg and returns its driver.
func New(_ context.Context, cfg Config) (*Driver, error) {
	cfg.FamilyPrefix = cmp.Or(cfg.FamilyPrefix, "sockerless")
	if err := cfg.check(); err != nil {
		return nil, err
	}
	base := remotecompute.NewBase(Backend, cfg.AgentURL, "they need an EFS file system: set "+efsvolumes.EnvFileSystem).WithBindCopies()
	if cfg.Volumes != nil {
		base = base.WithVolumes(*cfg.Volumes).WithStaging()
	}
	return &Driver{Base: base, cfg: cfg}, nil
}

// Start registers the container's task definition and runs one task.
func (d *Driver) Start(ctx context.Context, w core.Workload) error {
	agentURL, err := d.Launchable(w)
	if err != nil {
		return err
	}
	// Core starts a container that is not running, so a task still up
	// is an earlier start's, lingering: its agent must not answer for
	// this one.
	if err := d.Stop(ctx, w.ID); err != nil {
		return err
	}
	in, err := d.mountVolumes(ctx, d.taskDefinition(w, agentURL), w.Mounts)
	if err != nil {
		return err
	}
	in = d.mountStaged(in, w.ID)
	def, err := d.cfg.ECS.RegisterTaskDefinition(ctx, in)
	if err != nil {
		return fmt.Errorf("ECS RegisterTaskDefinition: %w", err)
	}
	run := &awsecs.RunTaskInput{
		Cluster:        aws.String(d.cfg.Cluster),
		TaskDefinition: def.TaskDefinition.TaskDefinitionArn,
		LaunchType:     types.LaunchTypeFargate,
		Count:          aws.Int32(1),
		StartedBy:      aws.String("sockerless"),
		// One task per start even when the call is retried.
		ClientToken: aws.String(clientToken(w)),
		Tags:        []types.Tag{{Key: aws.String("sockerless:container"), Value: aws.String(w.ID)}},
	}
	if len(d.cfg.Subnets) > 0 {
		ip := types.AssignPublicIpDisabled
		if d.cfg.AssignPublicIP {
			ip = types.AssignPublicIpEnabled
		}
		run.NetworkConfiguration = &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: d.cfg.Subnets, SecurityGroups: d.cfg.SecurityGroups, AssignPublicIp: ip,
		}}
	}
	out, err := d.cfg.ECS.RunTask(ctx, run)
	if err != nil {
		return fmt.Errorf("ECS RunTask: %w", err)
	}
	if len(out.Failures) > 0 || len(out.Tasks) == 0 {
		return taskFailure(out.Failures)
	}
	return nil
}

func clientToken(w core.Workload) string {
	h := sha256.Sum256([]byte(w.ID + "/" + w.Token))
	return hex.EncodeToString(h[:16])
}

// tasks lists the container's task ARNs with the given desired status.
func (d *Driver) tasks(ctx context.Context, id string, status types.DesiredStatus) ([]string, error) {
	var arns []string
	p := awsecs.NewListTasksPaginator(d.cfg.ECS, &awsecs.ListTasksInput{
		Cluster: aws.String(d.cfg.Cluster), Family: aws.String(d.family(id)), DesiredStatus: status,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ECS ListTasks: %w", err)
		}
		arns = append(arns, page.TaskArns...)
	}
	return arns, nil
}

// Status reports the container's latest task: running while any task
// is meant to run, else the main container's exit.
func (d *Driver) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	running, err := d.tasks(ctx, id, types.DesiredStatusRunning)
	if err != nil {
		return core.WorkloadStatus{}, err
	}
	if len(running) > 0 {
		return core.WorkloadStatus{Running: true, Known: true}, nil
	}
	stopped, err := d.tasks(ctx, id, types.DesiredStatusStopped)
	if err != nil || len(stopped) == 0 {
		return core.WorkloadStatus{}, err
	}
	out, err := d.cfg.ECS.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: aws.String(d.cfg.Cluster), Tasks: stopped})
	if err != nil {
		return core.WorkloadStatus{}, fmt.Errorf("ECS DescribeTasks: %w", err)
	}
	var last *types.Task
	for i := range out.Tasks {
		t := &out.Tasks[i]
		if last == nil || aws.ToTime(t.CreatedAt).After(aws.ToTime(last.CreatedAt)) {
			last = t
		}
	}
	if last == nil {
		return core.WorkloadStatus{}, nil
	}
	return stoppedStatus(last), nil
}

// stoppedStatus is a stopped task as the main container's exit; a main
// container that never ran exits 128 with ECS's reason, as a failed
// start does in Docker.
func stoppedStatus(t *types.Task) core.WorkloadStatus {
	st := core.WorkloadStatus{Known: true, ExitCode: 128, FinishedAt: aws.ToTime(t.StoppedAt)}
	if st.FinishedAt.IsZero() {
		st.FinishedAt = time.Now()
	}
	reason := aws.ToString(t.StoppedReason)
	for _, c := range t.Containers {
		if aws.ToString(c.Name) != mainName {
			continue
		}
		if c.ExitCode != nil {
			st.ExitCode = int(*c.ExitCode)
			return st
		}
		if r := aws.ToString(c.Reason); r != "" {
			reason = r
		}
	}
	st.Error = "ECS task stopped: " + reason
	return st
}

// Linger is how long a task serves its files after main's exit.
func (d *Driver) Linger() (time.Duration, string) { return d.cfg.Linger, EnvLinger }

// Stop asks ECS to stop the container's running tasks (SIGTERM, then
// SIGKILL after the stop timeout).
func (d *Driver) Stop(ctx context.Context, id string) error {
	arns, err := d.tasks(ctx, id, types.DesiredStatusRunning)
	if err != nil {
		return err
	}
	for _, arn := range arns {
		if _, err := d.cfg.ECS.StopTask(ctx, &awsecs.StopTaskInput{
			Cluster: aws.String(d.cfg.Cluster), Task: aws.String(arn), Reason: aws.String("Stopped by sockerless"),
		}); err != nil {
			return fmt.Errorf("ECS StopTask: %w", err)
		}
	}
	return nil
}

// Remove stops what still runs, deregisters the container's task
// definitions and deletes its log streams.
func (d *Driver) Remove(ctx context.Context, id string) error {
	if err := d.Stop(ctx, id); err != nil {
		return err
	}
	p := awsecs.NewListTaskDefinitionsPaginator(d.cfg.ECS, &awsecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(d.family(id))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ECS ListTaskDefinitions: %w", err)
		}
		for _, arn := range page.TaskDefinitionArns {
			if _, err := d.cfg.ECS.DeregisterTaskDefinition(ctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
				return fmt.Errorf("ECS DeregisterTaskDefinition: %w", err)
			}
		}
	}
	if err := d.removeStaged(id); err != nil {
		return err
	}
	return d.deleteLogs(ctx, id)
}
