package ecs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/taskrun"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

// task is one RunTask instance. Its fields change only under Service.mu.
type task struct {
	arn, id, clusterARN, region string
	def                         *taskDef
	overrides                   taskOverrides
	startedBy, group            string
	lastStatus, desiredStatus   string
	stoppedReason, stopCode     string
	createdAt, startedAt        time.Time
	pullStartedAt, pullStopped  time.Time
	stoppingAt, stoppedAt       time.Time
	containers                  []*container
	version                     int
	// volumes maps each volume's name to its host directory, set before
	// any container starts.
	volumes map[string]string

	ctx    context.Context // cancelled to kill every process (SIGKILL)
	cancel context.CancelCauseFunc
	stopCh chan struct{} // closed when the task is asked to stop
}

type container struct {
	def        *containerDef
	arn        string
	lastStatus string
	exitCode   *int
	reason     string
	runtimeID  string
	proc       taskrun.Proc
	started    chan struct{} // closed once the process runs
	exited     chan struct{} // closed once the container reached STOPPED
}

type containerOverride struct {
	Name        string     `json:"name"`
	Command     []string   `json:"command,omitempty"`
	Environment []keyValue `json:"environment,omitempty"`
}

type taskOverrides struct {
	ContainerOverrides []containerOverride `json:"containerOverrides"`
}

func (o *taskOverrides) forContainer(name string) *containerOverride {
	for i := range o.ContainerOverrides {
		if o.ContainerOverrides[i].Name == name {
			return &o.ContainerOverrides[i]
		}
	}
	return nil
}

type containerOut struct {
	ContainerArn string `json:"containerArn"`
	TaskArn      string `json:"taskArn"`
	Name         string `json:"name"`
	Image        string `json:"image"`
	RuntimeID    string `json:"runtimeId,omitempty"`
	LastStatus   string `json:"lastStatus"`
	ExitCode     *int   `json:"exitCode,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Cpu          string `json:"cpu"`
}

type taskOut struct {
	TaskArn              string         `json:"taskArn"`
	ClusterArn           string         `json:"clusterArn"`
	TaskDefinitionArn    string         `json:"taskDefinitionArn"`
	LastStatus           string         `json:"lastStatus"`
	DesiredStatus        string         `json:"desiredStatus"`
	LaunchType           string         `json:"launchType"`
	PlatformVersion      string         `json:"platformVersion"`
	PlatformFamily       string         `json:"platformFamily"`
	Cpu                  string         `json:"cpu,omitempty"`
	Memory               string         `json:"memory,omitempty"`
	Group                string         `json:"group"`
	StartedBy            string         `json:"startedBy,omitempty"`
	Version              int            `json:"version"`
	Overrides            taskOverrides  `json:"overrides"`
	Containers           []containerOut `json:"containers"`
	CreatedAt            float64        `json:"createdAt"`
	PullStartedAt        float64        `json:"pullStartedAt,omitempty"`
	PullStoppedAt        float64        `json:"pullStoppedAt,omitempty"`
	StartedAt            float64        `json:"startedAt,omitempty"`
	StoppingAt           float64        `json:"stoppingAt,omitempty"`
	StoppedAt            float64        `json:"stoppedAt,omitempty"`
	StoppedReason        string         `json:"stoppedReason,omitempty"`
	StopCode             string         `json:"stopCode,omitempty"`
	Tags                 []tag          `json:"tags,omitempty"`
	EnableExecuteCommand bool           `json:"enableExecuteCommand"`
}

func optEpoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return epoch(t)
}

func (s *Service) renderTask(t *task, withTags bool) taskOut {
	out := taskOut{
		TaskArn: t.arn, ClusterArn: t.clusterARN, TaskDefinitionArn: t.def.ARN,
		LastStatus: t.lastStatus, DesiredStatus: t.desiredStatus, LaunchType: "FARGATE",
		PlatformVersion: "1.4.0", PlatformFamily: "Linux", Cpu: t.def.Cpu, Memory: t.def.Memory,
		Group: t.group, StartedBy: t.startedBy, Version: t.version, Overrides: t.overrides,
		CreatedAt: epoch(t.createdAt), PullStartedAt: optEpoch(t.pullStartedAt), PullStoppedAt: optEpoch(t.pullStopped),
		StartedAt: optEpoch(t.startedAt), StoppingAt: optEpoch(t.stoppingAt), StoppedAt: optEpoch(t.stoppedAt),
		StoppedReason: t.stoppedReason, StopCode: t.stopCode,
	}
	if out.Overrides.ContainerOverrides == nil {
		out.Overrides.ContainerOverrides = []containerOverride{}
	}
	for _, c := range t.containers {
		out.Containers = append(out.Containers, containerOut{
			ContainerArn: c.arn, TaskArn: t.arn, Name: c.def.Name, Image: c.def.Image, RuntimeID: c.runtimeID,
			LastStatus: c.lastStatus, ExitCode: c.exitCode, Reason: c.reason, Cpu: "0",
		})
	}
	if withTags {
		out.Tags = s.St.tags[t.arn]
	}
	return out
}

type runTaskIn struct {
	Cluster              string        `json:"cluster"`
	TaskDefinition       string        `json:"taskDefinition"`
	Count                *int          `json:"count"`
	LaunchType           string        `json:"launchType"`
	Overrides            taskOverrides `json:"overrides"`
	NetworkConfiguration *struct {
		AwsvpcConfiguration *struct {
			Subnets []string `json:"subnets"`
		} `json:"awsvpcConfiguration"`
	} `json:"networkConfiguration"`
	StartedBy string `json:"startedBy"`
	Group     string `json:"group"`
	Tags      []tag  `json:"tags"`
}

type tasksResult struct {
	Tasks    []taskOut `json:"tasks"`
	Failures []failure `json:"failures"`
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Service) runTask(region string, in *runTaskIn) (tasksResult, *awsjson.Error) {
	c, aerr := s.findCluster(region, in.Cluster)
	if aerr != nil {
		return tasksResult{}, aerr
	}
	if in.TaskDefinition == "" {
		return tasksResult{}, invalid("TaskDefinition can not be blank.")
	}
	d := s.findTaskDef(region, in.TaskDefinition)
	if d == nil {
		return tasksResult{}, clientError("TaskDefinition not found.")
	}
	if d.Status != "ACTIVE" {
		return tasksResult{}, clientError("TaskDefinition is inactive")
	}
	switch in.LaunchType {
	case "", "FARGATE":
	default:
		return tasksResult{}, invalid("awssim: launch type %s is not simulated; only FARGATE tasks run.", in.LaunchType)
	}
	if d.NetworkMode != "awsvpc" {
		return tasksResult{}, invalid("Task definition does not support launch_type FARGATE.")
	}
	if in.NetworkConfiguration == nil || in.NetworkConfiguration.AwsvpcConfiguration == nil {
		return tasksResult{}, invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	count := 1
	if in.Count != nil {
		count = *in.Count
	}
	if count < 1 || count > 10 {
		return tasksResult{}, invalid("Count must be between 1 and 10.")
	}
	for _, o := range in.Overrides.ContainerOverrides {
		if findContainer(d, o.Name) == nil {
			return tasksResult{}, invalid("Override for container named %s is not a container in the TaskDefinition.", o.Name)
		}
	}
	if aerr := checkTags(in.Tags); aerr != nil {
		return tasksResult{}, aerr
	}
	group := in.Group
	if group == "" {
		group = "family:" + d.Family
	}
	s.pruneLocked()
	out := tasksResult{Tasks: []taskOut{}, Failures: []failure{}}
	for range count {
		t := s.newTask(region, c, d, in, group)
		if len(in.Tags) > 0 {
			if err := s.St.putTags(t.arn, in.Tags); err != nil {
				return tasksResult{}, internal(err)
			}
		}
		out.Tasks = append(out.Tasks, s.renderTask(t, false))
		s.wg.Add(1)
		go s.run(t)
	}
	return out, nil
}

func findContainer(d *taskDef, name string) *containerDef {
	for i := range d.ContainerDefinitions {
		if d.ContainerDefinitions[i].Name == name {
			return &d.ContainerDefinitions[i]
		}
	}
	return nil
}

func (s *Service) newTask(region string, c *cluster, d *taskDef, in *runTaskIn, group string) *task {
	id := newID()
	t := &task{
		id: id, arn: s.arn(region, "task/"+c.Name+"/"+id), clusterARN: c.ARN, region: region, def: d,
		overrides: in.Overrides, startedBy: in.StartedBy, group: group,
		lastStatus: "PROVISIONING", desiredStatus: "RUNNING", createdAt: s.Now(), version: 1,
		stopCh: make(chan struct{}),
	}
	t.ctx, t.cancel = context.WithCancelCause(context.Background())
	for i := range d.ContainerDefinitions {
		cd := &d.ContainerDefinitions[i]
		t.containers = append(t.containers, &container{
			def: cd, arn: s.arn(region, "container/"+c.Name+"/"+id+"/"+newID()),
			lastStatus: "PENDING", started: make(chan struct{}), exited: make(chan struct{}),
		})
	}
	s.tasks[t.arn] = t
	return t
}

// findTask resolves a task ARN or id within a cluster.
func (s *Service) findTask(region string, c *cluster, ref string) *task {
	if strings.HasPrefix(ref, "arn:") {
		if t := s.tasks[ref]; t != nil && t.clusterARN == c.ARN {
			return t
		}
		return nil
	}
	return s.tasks[s.arn(region, "task/"+c.Name+"/"+ref)]
}

type describeTasksIn struct {
	Cluster string   `json:"cluster"`
	Tasks   []string `json:"tasks"`
	Include []string `json:"include"`
}

func (s *Service) describeTasks(region string, in *describeTasksIn) (tasksResult, *awsjson.Error) {
	c, aerr := s.findCluster(region, in.Cluster)
	if aerr != nil {
		return tasksResult{}, aerr
	}
	if len(in.Tasks) == 0 {
		return tasksResult{}, invalid("Tasks cannot be empty.")
	}
	if len(in.Tasks) > 100 {
		return tasksResult{}, invalid("Too many tasks specified. Max 100.")
	}
	withTags := false
	for _, i := range in.Include {
		withTags = withTags || i == "TAGS"
	}
	out := tasksResult{Tasks: []taskOut{}, Failures: []failure{}}
	for _, ref := range in.Tasks {
		t := s.findTask(region, c, ref)
		if t == nil {
			arn := ref
			if !strings.HasPrefix(ref, "arn:") {
				arn = s.arn(region, "task/"+c.Name+"/"+ref)
			}
			out.Failures = append(out.Failures, failure{arn, "MISSING"})
			continue
		}
		out.Tasks = append(out.Tasks, s.renderTask(t, withTags))
	}
	return out, nil
}

type listTasksIn struct {
	Cluster       string `json:"cluster"`
	Family        string `json:"family"`
	StartedBy     string `json:"startedBy"`
	DesiredStatus string `json:"desiredStatus"`
	MaxResults    *int   `json:"maxResults"`
	NextToken     string `json:"nextToken"`
}

type listTasksOut struct {
	TaskArns  []string `json:"taskArns"`
	NextToken string   `json:"nextToken,omitempty"`
}

func (s *Service) listTasks(region string, in *listTasksIn) (listTasksOut, *awsjson.Error) {
	c, aerr := s.findCluster(region, in.Cluster)
	if aerr != nil {
		return listTasksOut{}, aerr
	}
	want := in.DesiredStatus
	if want == "" {
		want = "RUNNING"
	}
	var arns []string
	for _, t := range s.tasks {
		if t.clusterARN == c.ARN && t.desiredStatus == want &&
			(in.Family == "" || t.def.Family == in.Family) && (in.StartedBy == "" || t.startedBy == in.StartedBy) {
			arns = append(arns, t.arn)
		}
	}
	sort.Strings(arns)
	page, next, aerr := paginate(arns, in.NextToken, in.MaxResults)
	if aerr != nil {
		return listTasksOut{}, aerr
	}
	return listTasksOut{page, next}, nil
}

type stopTaskIn struct {
	Cluster string `json:"cluster"`
	Task    string `json:"task"`
	Reason  string `json:"reason"`
}

type taskResult struct {
	Task taskOut `json:"task"`
}

func (s *Service) stopTask(region string, in *stopTaskIn) (taskResult, *awsjson.Error) {
	c, aerr := s.findCluster(region, in.Cluster)
	if aerr != nil {
		return taskResult{}, aerr
	}
	if in.Task == "" {
		return taskResult{}, invalid("Task can not be blank.")
	}
	t := s.findTask(region, c, in.Task)
	if t == nil {
		return taskResult{}, invalid("The referenced task was not found.")
	}
	reason := in.Reason
	if reason == "" {
		reason = "Task stopped by user"
	}
	s.stopLocked(t, reason, "UserInitiated")
	return taskResult{s.renderTask(t, false)}, nil
}

var errStopped = errors.New("task stopped")

// stoppedRetention is how long a stopped task stays visible, as in ECS.
const stoppedRetention = time.Hour

// pruneLocked forgets tasks stopped longer than stoppedRetention ago.
func (s *Service) pruneLocked() {
	cutoff := s.Now().Add(-stoppedRetention)
	for arn, t := range s.tasks {
		if t.lastStatus == "STOPPED" && t.stoppedAt.Before(cutoff) {
			delete(s.tasks, arn)
			if err := s.St.putTags(arn, nil); err != nil {
				return // tags stay; the next prune retries
			}
		}
	}
}
