// Package ecs simulates Amazon Elastic Container Service for Fargate
// tasks: the JSON 1.1 API (X-Amz-Target:
// AmazonEC2ContainerServiceV20141113.*) for clusters, task definitions
// and tasks, and a task runner that really runs each container in the
// sandbox over its image, pulled from the simulator's ECR and unpacked
// once per digest.
//
// Clusters, task definitions and tags persist in the state file; tasks
// live in memory only, since a restart ends the processes they describe.
package ecs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/imagefs"
	"github.com/sockerless/sockerless/simulators/kit/service"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// TargetPrefix is the X-Amz-Target prefix of ECS operations.
const TargetPrefix = "AmazonEC2ContainerServiceV20141113."

// LogSink is where awslogs-configured containers write their output:
// the simulator's CloudWatch Logs.
type LogSink interface {
	// GroupExists reports whether the log group exists in region.
	GroupExists(region, group string) bool
	// Append writes lines to group/stream, creating both when missing.
	Append(region, group, stream string, lines []LogLine) error
}

// LogLine is one line a container wrote.
type LogLine struct {
	Time    time.Time
	Message string
}

// Options configures a Service.
type Options struct {
	// Base is the state file (clusters, task definitions and tags), the
	// account in ARNs, and the clock.
	service.Base
	// Dir holds unpacked images and the tasks' writable layers and
	// volumes; empty means a temporary directory removed by Close.
	Dir string
	// Pull fetches a container image by its reference.
	Pull func(ctx context.Context, image string) (v1.Image, error)
	// Logs receives awslogs output; nil refuses awslogs configurations.
	Logs LogSink
	// EFS mounts an efsVolumeConfiguration as the mount helper would,
	// returning the host directory; nil fails tasks with EFS volumes.
	EFS func(region, fileSystemID, accessPointID, rootDirectory string) (string, error)
	// Runtime runs the tasks' containers (the zero value: the sandbox).
	Runtime taskrun.Runtime
}

// Service is the ECS endpoint of one account.
type Service struct {
	awsjson.Core[*store]
	pull   func(ctx context.Context, image string) (v1.Image, error)
	logs   LogSink
	efs    func(region, fileSystemID, accessPointID, rootDirectory string) (string, error)
	dir    string
	rt     taskrun.Runtime
	home   *imagefs.Home
	images *imageCache
	tasks  map[string]*task // task ARN → task
	wg     sync.WaitGroup   // running tasks
}

// New loads persisted state and returns a Service.
func New(o Options) (*Service, error) {
	if o.Pull == nil {
		return nil, errors.New("ecs: Options.Pull is required")
	}
	s, err := awsjson.Open(o.Base, openStore, &api, func(c awsjson.Core[*store]) *Service {
		return &Service{Core: c, pull: o.Pull, logs: o.Logs, efs: o.EFS, dir: o.Dir, rt: o.Runtime, tasks: map[string]*task{}}
	})
	if err != nil {
		return nil, err
	}
	if s.home, err = imagefs.OpenHome(s.dir, "awssim-ecs-"); err != nil {
		return nil, fmt.Errorf("ecs: %w", err)
	}
	s.dir, s.images = s.home.Dir, s.home.Images
	if s.rt.Native && s.rt.State == "" {
		s.rt.State = filepath.Join(s.dir, "native")
	}
	return s, nil
}

// Runtime names the runtime the tasks' containers run on.
func (s *Service) Runtime() string { return s.rt.Name() }

// Close kills every running task and waits for them to stop.
func (s *Service) Close() error {
	s.Mu.Lock()
	for _, t := range s.tasks {
		t.cancel(errors.New("awssim: simulator shutting down"))
	}
	s.Mu.Unlock()
	s.wg.Wait()
	return s.home.Close()
}

func invalid(format string, args ...any) *awsjson.Error {
	return awsjson.BadRequest("InvalidParameterException", fmt.Sprintf(format, args...))
}

func clientError(format string, args ...any) *awsjson.Error {
	return awsjson.BadRequest("ClientException", fmt.Sprintf(format, args...))
}

func clusterNotFound() *awsjson.Error {
	return awsjson.BadRequest("ClusterNotFoundException", "Cluster not found.")
}

func internal(err error) *awsjson.Error {
	return &awsjson.Error{Type: "ServerException", Message: err.Error(), Status: http.StatusInternalServerError}
}

var api = awsjson.API[Service]{
	Ops: map[string]awsjson.Handler[Service]{
		"CreateCluster":              awsjson.Op((*Service).createCluster),
		"DescribeClusters":           awsjson.Op((*Service).describeClusters),
		"DeleteCluster":              awsjson.Op((*Service).deleteCluster),
		"ListClusters":               awsjson.Op((*Service).listClusters),
		"RegisterTaskDefinition":     awsjson.Op((*Service).registerTaskDefinition),
		"DescribeTaskDefinition":     awsjson.Op((*Service).describeTaskDefinition),
		"DeregisterTaskDefinition":   awsjson.Op((*Service).deregisterTaskDefinition),
		"ListTaskDefinitions":        awsjson.Op((*Service).listTaskDefinitions),
		"ListTaskDefinitionFamilies": awsjson.Op((*Service).listTaskDefinitionFamilies),
		"RunTask":                    awsjson.Op((*Service).runTask),
		"DescribeTasks":              awsjson.Op((*Service).describeTasks),
		"ListTasks":                  awsjson.Op((*Service).listTasks),
		"StopTask":                   awsjson.Op((*Service).stopTask),
		"TagResource":                awsjson.Op((*Service).tagResource),
		"UntagResource":              awsjson.Op((*Service).untagResource),
		"ListTagsForResource":        awsjson.Op((*Service).listTagsForResource),
	},
	Internal: func(err error) awsjson.Fault { return internal(err) },
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Service) arn(region, resource string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s", region, s.AccountID, resource)
}
