package run

import (
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	runpb "cloud.google.com/go/run/apiv2/runpb"
	"go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "run" holds one bucket per resource kind, each
// keyed by the resource's full name, each record the resource as
// protojson. Memory mirrors it.
const (
	bucketRoot  = "run"
	bucketJobs  = "jobs"
	bucketExecs = "executions"
	bucketTasks = "tasks"
	bucketOps   = "operations"
	bucketSvcs  = "services"
	bucketRevs  = "revisions"
)

// state is everything the service holds; it is changed only under the
// service's lock and replies are clones.
type state struct {
	store *kv.Store
	jobs  map[string]*runpb.Job
	execs map[string]*runpb.Execution
	tasks map[string]*runpb.Task
	ops   map[string]*lropb.Operation
	svcs  map[string]*runpb.Service
	revs  map[string]*runpb.Revision
}

func openState(db *bbolt.DB) (*state, error) {
	store, err := kv.Open(db, bucketRoot, bucketJobs, bucketExecs, bucketTasks, bucketOps, bucketSvcs, bucketRevs)
	if err != nil {
		return nil, err
	}
	s := &state{store: store, jobs: map[string]*runpb.Job{}, execs: map[string]*runpb.Execution{},
		tasks: map[string]*runpb.Task{}, ops: map[string]*lropb.Operation{},
		svcs: map[string]*runpb.Service{}, revs: map[string]*runpb.Revision{}}
	if err := protokv.LoadMap(store, bucketJobs, s.jobs); err != nil {
		return nil, err
	}
	if err := protokv.LoadMap(store, bucketExecs, s.execs); err != nil {
		return nil, err
	}
	if err := protokv.LoadMap(store, bucketTasks, s.tasks); err != nil {
		return nil, err
	}
	if err := protokv.LoadMap(store, bucketSvcs, s.svcs); err != nil {
		return nil, err
	}
	if err := protokv.LoadMap(store, bucketRevs, s.revs); err != nil {
		return nil, err
	}
	return s, protokv.LoadMap(store, bucketOps, s.ops)
}

// save persists resources of one kind by name (nil: deleted), in one
// transaction.
func save[M proto.Message](s *state, bucket string, changed map[string]M) error {
	return protokv.Save(s.store, bucket, changed)
}

func (s *state) saveJob(j *runpb.Job) error {
	return save(s, bucketJobs, map[string]*runpb.Job{j.Name: j})
}

func (s *state) saveExec(e *runpb.Execution) error {
	return save(s, bucketExecs, map[string]*runpb.Execution{e.Name: e})
}

func (s *state) saveTask(t *runpb.Task) error {
	return save(s, bucketTasks, map[string]*runpb.Task{t.Name: t})
}

// saveOp keeps and persists an operation.
func (s *state) saveOp(op *lropb.Operation) error {
	s.ops[op.Name] = op
	return save(s, bucketOps, map[string]*lropb.Operation{op.Name: op})
}

// deleteExec forgets an execution and its tasks.
func (s *state) deleteExec(name string) error {
	gone := map[string]*runpb.Task{}
	for tn := range s.tasks {
		if parentOf(tn) == name {
			gone[tn] = (*runpb.Task)(nil)
			delete(s.tasks, tn)
		}
	}
	delete(s.execs, name)
	if err := save(s, bucketTasks, gone); err != nil {
		return err
	}
	return save(s, bucketExecs, map[string]*runpb.Execution{name: nil})
}

// failInterrupted fails every execution the state says is unfinished:
// its processes ended when the simulator last stopped.
func (s *Service) failInterrupted() error {
	now := s.st.Now()
	return s.locked(func(st *state) error {
		for _, e := range st.execs {
			if e.CompletionTime != nil {
				continue
			}
			for _, t := range st.tasks {
				if parentOf(t.Name) == e.Name && t.CompletionTime == nil {
					finishTask(t, now, taskFailed, "The simulator stopped while this task was running.", 0)
					if err := st.saveTask(t); err != nil {
						return err
					}
				}
			}
			s.finishExecLocked(st, e, now)
		}
		return nil
	})
}
