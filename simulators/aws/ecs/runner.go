package ecs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/agent/imagecmd"
	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// defaultStopTimeout is how long a container gets between SIGTERM and
// SIGKILL when its definition sets no stopTimeout, as in ECS.
const defaultStopTimeout = 30 * time.Second

// set changes task state under the lock and bumps its version, as ECS
// does on every state change.
func (s *Service) set(t *task, f func()) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	f()
	t.version++
}

// stopLocked asks t to stop: containers not yet started never start,
// running ones get SIGTERM and, after their stopTimeout, SIGKILL. The
// first reason given is the one reported. The caller holds s.Mu.
func (s *Service) stopLocked(t *task, reason, code string) {
	if t.desiredStatus == "STOPPED" {
		return
	}
	t.desiredStatus, t.stoppedReason, t.stopCode, t.stoppingAt = "STOPPED", reason, code, s.Now()
	t.version++
	close(t.stopCh)
	for _, c := range t.containers {
		s.terminate(t, c)
	}
}

// terminate sends a running container SIGTERM and SIGKILL after its
// stopTimeout, as docker stop does. The caller holds s.Mu.
func (s *Service) terminate(t *task, c *container) {
	if c.proc == nil || c.lastStatus == "STOPPED" {
		return
	}
	timeout := defaultStopTimeout
	if c.def.StopTimeout != nil {
		timeout = time.Duration(*c.def.StopTimeout) * time.Second
	}
	taskrun.Stop(c.proc, timeout, func() { t.cancel(errStopped) })
}

// run drives a task from PROVISIONING to STOPPED.
func (s *Service) run(t *task) {
	defer s.wg.Done()
	defer t.cancel(errStopped)
	dir := taskrun.Workspace{Dir: filepath.Join(s.dir, "tasks", t.id)}
	defer dir.Remove()
	s.set(t, func() {
		if t.desiredStatus != "STOPPED" {
			t.lastStatus, t.pullStartedAt = "PENDING", s.Now()
		}
	})
	images, reason := s.prepare(t, dir)
	if reason != "" {
		s.Mu.Lock()
		s.stopLocked(t, reason, "TaskFailedToStart")
		for _, c := range t.containers {
			c.lastStatus = "STOPPED"
			if strings.HasPrefix(reason, "CannotPullContainerError") && !strings.Contains(reason, c.def.Image) {
				continue
			}
			c.reason = reason
		}
		t.lastStatus, t.stoppedAt = "STOPPED", s.Now()
		s.Mu.Unlock()
		return
	}
	s.set(t, func() { t.pullStopped = s.Now() })
	done := make(chan struct{}, len(t.containers))
	for _, c := range t.containers {
		go func() {
			s.runContainer(t, c, images[c.def.Image], dir)
			done <- struct{}{}
		}()
	}
	for range t.containers {
		<-done
	}
	s.set(t, func() {
		if t.desiredStatus != "STOPPED" {
			// Every container ended without an essential one exiting:
			// only possible when dependencies were never satisfied.
			t.desiredStatus, t.stoppedReason, t.stopCode = "STOPPED", "Essential container in task exited", "EssentialContainerExited"
		}
		t.lastStatus, t.stoppedAt = "STOPPED", s.Now()
	})
}

// prepare checks the log configuration, pulls and unpacks every image and
// makes the task's volumes; a non-empty reason is why the task failed
// to start, worded as ECS words it.
func (s *Service) prepare(t *task, dir taskrun.Workspace) (map[string]*unpacked, string) {
	for _, c := range t.def.ContainerDefinitions {
		if reason := s.checkLogs(t, &c); reason != "" {
			return nil, reason
		}
	}
	images := map[string]*unpacked{}
	for _, c := range t.def.ContainerDefinitions {
		if images[c.Image] != nil {
			continue
		}
		u, err := s.pullImage(t.ctx, c.Image)
		if err != nil {
			if errors.Is(err, errStopped) {
				return nil, t.stoppedReason
			}
			return nil, fmt.Sprintf("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref %s: %v", c.Image, err)
		}
		images[c.Image] = u
	}
	t.volumes = map[string]string{}
	for _, v := range t.def.Volumes {
		if v.EFS != nil {
			host, reason := s.mountEFS(t, v.EFS)
			if reason != "" {
				return nil, reason
			}
			t.volumes[v.Name] = host
			continue
		}
		if err := dir.MakeVolume(v.Name); err != nil {
			return nil, "ResourceInitializationError: failed to create volume " + v.Name + ": " + err.Error()
		}
		t.volumes[v.Name] = dir.Volume(v.Name)
	}
	return images, ""
}

// mountEFS resolves an EFS volume to the host directory its containers
// mount; a failure is the task's stopped reason, as Fargate words it.
func (s *Service) mountEFS(t *task, v *efsVolume) (string, string) {
	fail := func(msg string) string {
		return "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: " + msg + " : unsuccessful EFS utils command execution; code: 32"
	}
	if s.efs == nil {
		return "", fail("awssim: EFS is not available to this ECS service")
	}
	host, err := s.efs(t.region, v.FileSystemID, v.accessPoint(), v.RootDirectory)
	if err != nil {
		return "", fail(err.Error())
	}
	return host, ""
}

func (s *Service) pullImage(ctx context.Context, ref string) (*unpacked, error) {
	img, err := s.pull(ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.images.Get(ctx, img)
}

func (s *Service) checkLogs(t *task, c *containerDef) string {
	lc := c.LogConfiguration
	if lc == nil {
		return ""
	}
	if s.logs == nil {
		return "ResourceInitializationError: awssim: CloudWatch Logs is not available to this ECS service"
	}
	group := lc.Options["awslogs-group"]
	if group == "" {
		return "ResourceInitializationError: failed to validate logger args: awslogs-group is required : exit status 1"
	}
	if lc.Options["awslogs-create-group"] != "true" && !s.logs.GroupExists(logRegion(t, lc), group) {
		return "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
	}
	return ""
}

func logRegion(t *task, lc *logConfig) string {
	if r := lc.Options["awslogs-region"]; r != "" {
		return r
	}
	return t.region
}

// waitDeps blocks until c's dependencies hold; false means they never
// will (a dependency failed or the task is stopping).
func (s *Service) waitDeps(t *task, c *container) (bool, string) {
	for _, d := range c.def.DependsOn {
		var dep *container
		for _, o := range t.containers {
			if o.def.Name == d.ContainerName {
				dep = o
			}
		}
		select {
		case <-t.stopCh:
			return false, ""
		case <-dep.started:
		case <-dep.exited:
		}
		if d.Condition == "START" {
			select {
			case <-dep.started:
				continue
			default:
				return false, fmt.Sprintf("DependencyConditionNeverSatisfied: container %s never started", dep.def.Name)
			}
		}
		select {
		case <-t.stopCh:
			return false, ""
		case <-dep.exited:
		}
		s.Mu.Lock()
		code := dep.exitCode
		s.Mu.Unlock()
		if code == nil || (d.Condition == "SUCCESS" && *code != 0) {
			return false, fmt.Sprintf("DependencyConditionNeverSatisfied: container %s did not %s", dep.def.Name, map[string]string{"COMPLETE": "run to completion", "SUCCESS": "exit with code 0"}[d.Condition])
		}
	}
	return true, ""
}

// runContainer runs one container once its dependencies allow, and
// stops the task when it is essential and exits.
func (s *Service) runContainer(t *task, c *container, img *unpacked, dir taskrun.Workspace) {
	defer close(c.exited)
	ok, why := s.waitDeps(t, c)
	if ok {
		select {
		case <-t.stopCh:
			ok = false
		default:
		}
	}
	var proc taskrun.Proc
	var flush func()
	var err error
	if ok {
		proc, flush, err = s.start(t, c, img, dir)
	}
	if !ok || err != nil {
		s.Mu.Lock()
		c.lastStatus = "STOPPED"
		switch {
		case err != nil:
			c.reason = "CannotStartContainerError: " + err.Error()
		case why != "":
			c.reason = why
		}
		if c.def.essential() {
			reason := "Essential container in task exited"
			if err != nil {
				reason = c.reason
			}
			s.stopLocked(t, reason, "EssentialContainerExited")
		}
		s.Mu.Unlock()
		return
	}
	s.set(t, func() {
		c.proc, c.lastStatus, c.runtimeID = proc, "RUNNING", t.id+"-"+strconv.Itoa(proc.Pid())
		if t.lastStatus == "PENDING" {
			t.lastStatus, t.startedAt = "RUNNING", s.Now()
		}
		if t.desiredStatus == "STOPPED" {
			s.terminate(t, c) // the stop came while it was starting
		}
	})
	close(c.started)
	code := proc.Wait()
	flush() // every line is in CloudWatch Logs before the container is STOPPED
	s.Mu.Lock()
	c.exitCode, c.lastStatus = &code, "STOPPED"
	t.version++
	if c.def.essential() {
		s.stopLocked(t, "Essential container in task exited", "EssentialContainerExited")
	}
	s.Mu.Unlock()
}

// start builds the container's process from its definition, the task's
// overrides and the image config, as the ECS agent builds docker create.
func (s *Service) start(t *task, c *container, img *unpacked, dir taskrun.Workspace) (taskrun.Proc, func(), error) {
	d := c.def
	s.Mu.Lock()
	o := t.overrides.forContainer(d.Name)
	s.Mu.Unlock()
	cmd := d.Command
	if o != nil && o.Command != nil {
		cmd = o.Command
	}
	args := imagecmd.Argv(img.Config.Entrypoint, img.Config.Cmd, d.EntryPoint, cmd)
	env := append([]string{}, img.Config.Env...)
	env = append(env, "AWS_EXECUTION_ENV=AWS_ECS_FARGATE", "AWS_REGION="+t.region, "AWS_DEFAULT_REGION="+t.region)
	for _, kv := range d.Environment {
		env = append(env, kv.Name+"="+kv.Value)
	}
	if o != nil {
		for _, kv := range o.Environment {
			env = append(env, kv.Name+"="+kv.Value)
		}
	}
	root, err := dir.ContainerRoot(d.Name)
	if err != nil {
		return nil, nil, err
	}
	stdout, stderr := s.outputs(t, d)
	spec := taskrun.Container{
		ID: t.id + "-" + d.Name, Root: root, Image: img.Root, Args: args, Env: taskrun.Env(env),
		Dir: taskrun.FirstOf(d.WorkingDirectory, img.Config.WorkingDir), User: taskrun.FirstOf(d.User, img.Config.User),
		Hostname: taskrun.FirstOf(d.Hostname, "ip-"+t.id[:8]), Stdout: stdout, Stderr: stderr,
	}
	if d.Memory != nil {
		spec.Memory = *d.Memory << 20
	}
	for _, m := range d.MountPoints {
		spec.Mounts = append(spec.Mounts, sandbox.Mount{Source: t.volumes[m.SourceVolume], Target: m.ContainerPath, ReadOnly: m.ReadOnly})
	}
	proc, err := s.rt.Start(t.ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	return proc, func() {
		stdout.Close()
		stderr.Close()
	}, nil
}
