package run

import (
	"context"
	"fmt"
	"strconv"
	"time"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/api"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
)

// Cloud Run's defaults for what a job's template leaves unset.
const (
	defaultMaxRetries = 3
	defaultTimeout    = 600 * time.Second
)

// jobsAPI is google.cloud.run.v2.Jobs.
type jobsAPI struct {
	runpb.UnimplementedJobsServer
	s *Service
}

func (a jobsAPI) CreateJob(_ context.Context, req *runpb.CreateJobRequest) (*lropb.Operation, error) {
	if _, err := checkName(parentRE, req.Parent, parentForm); err != nil {
		return nil, err
	}
	if !jobIDRE.MatchString(req.JobId) {
		return nil, errorf(codes.InvalidArgument, "job_id %q is invalid: it must be 1 to 63 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen", req.JobId)
	}
	if req.Job == nil {
		return nil, errorf(codes.InvalidArgument, "job is required")
	}
	j := proto.Clone(req.Job).(*runpb.Job)
	j.Name = req.Parent + "/jobs/" + req.JobId
	if err := checkTemplate(j.Template); err != nil {
		return nil, err
	}
	var op *lropb.Operation
	err := a.s.locked(func(st *state) error {
		if st.jobs[j.Name] != nil {
			return errorf(codes.AlreadyExists, "Resource '%s' already exists.", req.JobId)
		}
		now := a.s.st.Now()
		fillJob(j, nil, now)
		if req.ValidateOnly {
			op = doneOp(req.Parent, j)
			return nil
		}
		st.jobs[j.Name] = j
		if err := st.saveJob(j); err != nil {
			return err
		}
		op = doneOp(req.Parent, j)
		return st.saveOp(op)
	})
	return op, err
}

func (a jobsAPI) GetJob(_ context.Context, req *runpb.GetJobRequest) (*runpb.Job, error) {
	return getOne(a.s, jobRE, req.Name, jobForm, (*state).job)
}

func (a jobsAPI) ListJobs(_ context.Context, req *runpb.ListJobsRequest) (*runpb.ListJobsResponse, error) {
	jobs, next, err := listUnder(a.s, req.Parent, req.PageSize, req.PageToken, func(st *state) map[string]*runpb.Job { return st.jobs })
	if err != nil {
		return nil, err
	}
	return &runpb.ListJobsResponse{Jobs: jobs, NextPageToken: next}, nil
}

func (a jobsAPI) UpdateJob(_ context.Context, req *runpb.UpdateJobRequest) (*lropb.Operation, error) {
	if req.Job == nil {
		return nil, errorf(codes.InvalidArgument, "job is required")
	}
	if _, err := checkName(jobRE, req.Job.Name, jobForm); err != nil {
		return nil, err
	}
	j := proto.Clone(req.Job).(*runpb.Job)
	if err := checkTemplate(j.Template); err != nil {
		return nil, err
	}
	var op *lropb.Operation
	err := a.s.locked(func(st *state) error {
		old := st.jobs[j.Name]
		if old == nil && !req.AllowMissing {
			_, err := st.job(j.Name)
			return err
		}
		if old != nil {
			if err := checkEtag(j.Etag, old.Etag); err != nil {
				return err
			}
		}
		fillJob(j, old, a.s.st.Now())
		op = doneOp(parentOf(j.Name), j)
		if req.ValidateOnly {
			return nil
		}
		st.jobs[j.Name] = j
		if err := st.saveJob(j); err != nil {
			return err
		}
		return st.saveOp(op)
	})
	return op, err
}

func (a jobsAPI) DeleteJob(_ context.Context, req *runpb.DeleteJobRequest) (*lropb.Operation, error) {
	if _, err := checkName(jobRE, req.Name, jobForm); err != nil {
		return nil, err
	}
	var op *lropb.Operation
	err := a.s.locked(func(st *state) error {
		j, err := st.job(req.Name)
		if err != nil {
			return err
		}
		if err := checkEtag(req.Etag, j.Etag); err != nil {
			return err
		}
		gone := proto.Clone(j).(*runpb.Job)
		gone.DeleteTime = timestamppb.New(a.s.st.Now())
		op = doneOp(parentOf(j.Name), gone)
		if req.ValidateOnly {
			return nil
		}
		// Deleting a job deletes its executions, stopping those running.
		for name := range st.execs {
			if parentOf(name) != j.Name {
				continue
			}
			if r := a.s.running[name]; r != nil {
				r.kill(errDeleted)
			}
			if err := st.deleteExec(name); err != nil {
				return err
			}
		}
		delete(st.jobs, j.Name)
		if err := save(st, bucketJobs, map[string]*runpb.Job{j.Name: nil}); err != nil {
			return err
		}
		return st.saveOp(op)
	})
	return op, err
}

func (a jobsAPI) RunJob(_ context.Context, req *runpb.RunJobRequest) (*lropb.Operation, error) {
	if _, err := checkName(jobRE, req.Name, jobForm); err != nil {
		return nil, err
	}
	if err := checkOverrides(req.Overrides); err != nil {
		return nil, err
	}
	return a.s.runJob(req)
}

// job is the job called name, or NOT_FOUND worded as Cloud Run words it.
func (st *state) job(name string) (*runpb.Job, error) {
	if j := st.jobs[name]; j != nil {
		return j, nil
	}
	m := jobRE.FindStringSubmatch(name)
	return nil, errorf(codes.NotFound, "Resource '%s' of kind 'JOB' in region '%s' in project '%s' does not exist.", m[3], m[2], m[1])
}

// checkEtag fails with ABORTED when a request names an etag (given) that
// is not the resource's (have): it was changed since the caller read it.
func checkEtag(given, have string) error {
	if given != "" && given != have {
		return errorf(codes.Aborted, "etag mismatch: the resource was changed since %s was read; read it again", given)
	}
	return nil
}

// checkTemplate refuses a job template Cloud Run would refuse, and one
// this simulator cannot run (more than one container, which it says).
func checkTemplate(t *runpb.ExecutionTemplate) error {
	if t == nil || t.Template == nil {
		return errorf(codes.InvalidArgument, "template.template is required: a job needs a task template with a container")
	}
	if t.TaskCount < 0 || t.Parallelism < 0 {
		return errorf(codes.InvalidArgument, "template.task_count and template.parallelism must not be negative")
	}
	cs := t.Template.Containers
	switch {
	case len(cs) == 0:
		return errorf(codes.InvalidArgument, "template.template.containers: a job needs exactly one container")
	case len(cs) > 1:
		return errorf(codes.InvalidArgument, "template.template.containers: gcpsim runs one container per task; this job has %d", len(cs))
	case cs[0].Image == "":
		return errorf(codes.InvalidArgument, "template.template.containers[0].image is required")
	}
	if len(t.Template.Volumes) > 0 {
		return errorf(codes.InvalidArgument, "template.template.volumes: gcpsim does not mount volumes into tasks yet")
	}
	if to := t.Template.Timeout; to != nil && (to.CheckValid() != nil || to.AsDuration() <= 0) {
		return errorf(codes.InvalidArgument, "template.template.timeout must be a positive duration")
	}
	if r, ok := t.Template.Retries.(*runpb.TaskTemplate_MaxRetries); ok && r.MaxRetries < 0 {
		return errorf(codes.InvalidArgument, "template.template.max_retries must not be negative")
	}
	return nil
}

func checkOverrides(o *runpb.RunJobRequest_Overrides) error {
	if o == nil {
		return nil
	}
	if o.TaskCount < 0 {
		return errorf(codes.InvalidArgument, "overrides.task_count must not be negative")
	}
	if o.Timeout != nil && (o.Timeout.CheckValid() != nil || o.Timeout.AsDuration() <= 0) {
		return errorf(codes.InvalidArgument, "overrides.timeout must be a positive duration")
	}
	if len(o.ContainerOverrides) > 1 {
		return errorf(codes.InvalidArgument, "overrides.container_overrides: the job has one container")
	}
	return nil
}

// fillJob sets what Cloud Run sets on a job it stores: output fields and
// the template's defaults; old is the job it replaces (nil: a new one).
func fillJob(j, old *runpb.Job, now time.Time) {
	ts := timestamppb.New(now)
	j.Generation, j.Uid, j.CreateTime, j.Creator = 1, newUID(), ts, "gcpsim"
	if old != nil {
		j.Generation, j.Uid, j.CreateTime, j.Creator = old.Generation+1, old.Uid, old.CreateTime, old.Creator
		j.ExecutionCount, j.LatestCreatedExecution = old.ExecutionCount, old.LatestCreatedExecution
	}
	j.UpdateTime, j.LastModifier, j.ObservedGeneration = ts, "gcpsim", j.Generation
	j.DeleteTime, j.ExpireTime, j.Reconciling = nil, nil, false
	if j.LaunchStage == api.LaunchStage_LAUNCH_STAGE_UNSPECIFIED {
		j.LaunchStage = api.LaunchStage_GA
	}
	t := j.Template
	if t.TaskCount == 0 {
		t.TaskCount = 1
	}
	if t.Template.Retries == nil {
		t.Template.Retries = &runpb.TaskTemplate_MaxRetries{MaxRetries: defaultMaxRetries}
	}
	if t.Template.Timeout == nil {
		t.Template.Timeout = durationpb.New(defaultTimeout)
	}
	for i, c := range t.Template.Containers {
		if c.Name == "" {
			c.Name = "container-" + strconv.Itoa(i)
		}
	}
	ready := &runpb.Condition{Type: "Ready", State: runpb.Condition_CONDITION_SUCCEEDED, LastTransitionTime: ts}
	j.TerminalCondition, j.Conditions = ready, nil
	j.Etag = fmt.Sprintf(`"%d-%d"`, j.Generation, now.UnixNano())
}

// paginate is pages.Paginate.
var paginate = pages.Paginate
