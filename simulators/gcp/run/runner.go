package run

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/agent/imagecmd"
	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/kit/imagefs"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// stopGrace is how long a task's container has between SIGTERM and
// SIGKILL when it is cancelled or times out, as on Cloud Run.
const stopGrace = 10 * time.Second

// execRun is an execution while it runs: stop asks its tasks to stop
// gracefully (cancellation), kill ends them at once (deletion, shutdown).
type execRun struct {
	ctx      context.Context
	kill     context.CancelCauseFunc
	stopped  chan struct{}
	stopOnce sync.Once
}

func (r *execRun) stop() { r.stopOnce.Do(func() { close(r.stopped) }) }

// shutdown reports whether the simulator is stopping: nothing more about
// the execution is recorded.
func (r *execRun) shutdown() bool { return errors.Is(context.Cause(r.ctx), errShutdown) }

func (r *execRun) isStopped() bool {
	select {
	case <-r.stopped:
		return true
	default:
		return false
	}
}

// start runs execution name in the background. The caller holds the lock.
func (s *Service) start(name string) {
	ctx, kill := context.WithCancelCause(context.Background())
	r := &execRun{ctx: ctx, kill: kill, stopped: make(chan struct{})}
	s.running[name] = r
	s.wg.Add(1)
	go s.execute(name, r)
}

// update changes execution name and its tasks under the lock and saves
// them; f is not called once the execution has been deleted.
func (s *Service) update(name string, f func(st *state, e *runpb.Execution) error) {
	s.locked(func(st *state) error {
		e := st.execs[name]
		if e == nil {
			return nil
		}
		if err := f(st, e); err != nil {
			return err
		}
		st.recount(e)
		e.UpdateTime = timestamppb.New(s.st.Now())
		return st.saveExec(e)
	})
}

// execute pulls the image, runs the tasks, at most parallelism at once,
// and completes the execution.
func (s *Service) execute(name string, r *execRun) {
	defer s.wg.Done()
	defer r.kill(errors.New("execution ended"))
	var e *runpb.Execution
	s.locked(func(st *state) error {
		if x := st.execs[name]; x != nil {
			e = proto.Clone(x).(*runpb.Execution)
		} else {
			delete(s.running, name) // deleted before it started
		}
		return nil
	})
	if e == nil {
		return
	}
	c := e.Template.Containers[0]
	img, err := s.pullImage(r.ctx, c.Image)
	if err == nil {
		s.update(name, func(st *state, e *runpb.Execution) error {
			now := s.st.Now()
			e.StartTime = timestamppb.New(now)
			setCondition(e.Conditions, condResources, runpb.Condition_CONDITION_SUCCEEDED, "", now)
			setCondition(e.Conditions, condStarted, runpb.Condition_CONDITION_SUCCEEDED, "", now)
			setCondition(e.Conditions, condCompleted, runpb.Condition_CONDITION_RECONCILING, "", now)
			return nil
		})
		parallel := e.Parallelism
		if parallel <= 0 || parallel > e.TaskCount {
			parallel = e.TaskCount
		}
		slots := make(chan struct{}, parallel)
		var wg sync.WaitGroup
	schedule:
		for i := range e.TaskCount {
			select {
			case slots <- struct{}{}:
			case <-r.stopped:
				break schedule
			case <-r.ctx.Done():
				break schedule
			}
			wg.Go(func() {
				defer func() { <-slots }()
				s.runTask(r, e, i, img)
			})
		}
		wg.Wait()
	}
	s.locked(func(st *state) error {
		delete(s.running, name)
		e := st.execs[name]
		if e == nil || r.shutdown() {
			return nil
		}
		now := s.st.Now()
		for _, t := range st.tasks {
			if parentOf(t.Name) != name || t.CompletionTime != nil {
				continue
			}
			if err != nil && !r.isStopped() {
				finishTask(t, now, taskFailed, "Image '"+c.Image+"' could not be pulled: "+err.Error(), 0)
			} else {
				finishTask(t, now, taskCancelled, "The execution was cancelled.", 0)
			}
			st.saveTask(t)
		}
		return s.finishExecLocked(st, e, now)
	})
}

func (s *Service) pullImage(ctx context.Context, ref string) (*imagefs.Image, error) {
	img, err := s.pull(ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.home.Images.Get(ctx, img)
}

// runTask runs task index of e until an attempt succeeds, its retries are
// used up or the execution is stopped.
func (s *Service) runTask(r *execRun, e *runpb.Execution, index int32, img *imagefs.Image) {
	name := e.Name + "/tasks/" + lastSegment(e.Name) + "-task" + strconv.Itoa(int(index))
	retries := maxRetries(e.Template)
	for attempt := int32(0); ; attempt++ {
		if r.isStopped() || r.ctx.Err() != nil {
			return
		}
		s.update(e.Name, func(st *state, _ *runpb.Execution) error {
			t := st.tasks[name]
			now := timestamppb.New(s.st.Now())
			t.Retried, t.UpdateTime = attempt, now
			if t.StartTime == nil {
				t.ScheduledTime, t.StartTime = now, now
			}
			return st.saveTask(t)
		})
		o, msg, code := s.attempt(r, e, index, attempt, img)
		if r.shutdown() {
			return
		}
		last := o != taskFailed || attempt >= retries || r.isStopped()
		s.update(e.Name, func(st *state, _ *runpb.Execution) error {
			t := st.tasks[name]
			now := s.st.Now()
			if last {
				finishTask(t, now, o, msg, code)
			} else {
				t.LastAttemptResult = attemptResult(o, msg, code) // to be retried
			}
			return st.saveTask(t)
		})
		if last {
			return
		}
	}
}

// attempt runs the task's container once, to its exit, its timeout or
// the execution's stop.
func (s *Service) attempt(r *execRun, e *runpb.Execution, index, attempt int32, img *imagefs.Image) (outcome, string, int32) {
	c := e.Template.Containers[0]
	dir := taskrun.Workspace{Dir: filepath.Join(s.home.Dir, "tasks", lastSegment(e.Name), strconv.Itoa(int(index))+"-"+strconv.Itoa(int(attempt)))}
	defer dir.Remove()
	root, err := dir.ContainerRoot(c.Name)
	if err != nil {
		return taskFailed, "The container could not be created: " + err.Error(), 0
	}
	spec := containerSpec(c, img, root, "CLOUD_RUN_JOB="+e.Job, "CLOUD_RUN_EXECUTION="+lastSegment(e.Name),
		"CLOUD_RUN_TASK_INDEX="+strconv.Itoa(int(index)), "CLOUD_RUN_TASK_ATTEMPT="+strconv.Itoa(int(attempt)),
		"CLOUD_RUN_TASK_COUNT="+strconv.Itoa(int(e.TaskCount)))
	ctx, kill := context.WithCancelCause(r.ctx)
	defer kill(nil)
	stdout, stderr := s.outputs(e, index, attempt)
	proc, err := sandbox.Start(ctx, spec, sandbox.Stdio{Stdout: stdout, Stderr: stderr})
	if err != nil {
		stdout.Close()
		stderr.Close()
		return taskFailed, "The container could not be started: " + err.Error(), 0
	}
	var timedOut atomic.Bool
	stopIt := func() { taskrun.Stop(proc, stopGrace, func() { kill(errors.New("killed after the grace period")) }) }
	timer := time.AfterFunc(e.Template.Timeout.AsDuration(), func() {
		timedOut.Store(true)
		stopIt()
	})
	defer timer.Stop()
	go func() {
		select {
		case <-r.stopped:
			stopIt()
		case <-proc.Done():
		}
	}()
	code := int32(proc.Wait())
	stdout.Close() // every line is in Cloud Logging before the task completes
	stderr.Close()
	switch {
	case r.isStopped():
		return taskCancelled, "The execution was cancelled.", code
	case timedOut.Load():
		return taskFailed, "The configured timeout was reached.", code
	case code != 0:
		return taskFailed, "The container exited with an error (exit code " + strconv.Itoa(int(code)) + ").", code
	}
	return taskSucceeded, "", 0
}

// containerSpec is container c of a job's task or a service's instance
// over its unpacked image, with its own writable root: the image's
// entrypoint, command and environment overridden by c's, the platform's
// variables (platform) between the two.
func containerSpec(c *runpb.Container, img *imagefs.Image, root string, platform ...string) sandbox.Spec {
	env := append([]string{}, img.Config.Env...)
	env = append(env, platform...)
	for _, v := range c.Env {
		env = append(env, v.Name+"="+v.GetValue())
	}
	return sandbox.Spec{
		Root: root, Image: img.Root, Args: imagecmd.Argv(img.Config.Entrypoint, img.Config.Cmd, c.Command, c.Args),
		Env: taskrun.Env(env), Dir: taskrun.FirstOf(c.WorkingDir, img.Config.WorkingDir), User: img.Config.User,
		Hostname: "localhost", Memory: memoryLimit(c),
	}
}
