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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"go.etcd.io/bbolt"
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
	// DB persists clusters, task definitions and tags; nil keeps them in memory.
	DB *bbolt.DB
	// AccountID appears in ARNs.
	AccountID string
	// Dir holds unpacked images and the tasks' writable layers and
	// volumes; empty means a temporary directory removed by Close.
	Dir string
	// Pull fetches a container image by its reference.
	Pull func(ctx context.Context, image string) (v1.Image, error)
	// Logs receives awslogs output; nil refuses awslogs configurations.
	Logs LogSink
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service is the ECS endpoint of one account.
type Service struct {
	mu      sync.Mutex
	st      *store
	account string
	now     func() time.Time
	pull    func(ctx context.Context, image string) (v1.Image, error)
	logs    LogSink
	dir     string
	tempDir bool
	images  *imageCache
	tasks   map[string]*task // task ARN → task
	wg      sync.WaitGroup   // running tasks
}

// New loads persisted state and returns a Service.
func New(o Options) (*Service, error) {
	if o.Pull == nil {
		return nil, errors.New("ecs: Options.Pull is required")
	}
	st, err := openStore(o.DB)
	if err != nil {
		return nil, err
	}
	if o.AccountID == "" {
		o.AccountID = "000000000000"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Service{st: st, account: o.AccountID, now: o.Now, pull: o.Pull, logs: o.Logs, dir: o.Dir, tasks: map[string]*task{}}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "awssim-ecs-"); err != nil {
			return nil, fmt.Errorf("ecs: %w", err)
		}
		s.tempDir = true
	}
	s.images = newImageCache(s.dir + "/images")
	return s, nil
}

// Close kills every running task and waits for them to stop.
func (s *Service) Close() error {
	s.mu.Lock()
	for _, t := range s.tasks {
		t.cancel(errors.New("awssim: simulator shutting down"))
	}
	s.mu.Unlock()
	s.wg.Wait()
	if s.tempDir {
		return os.RemoveAll(s.dir)
	}
	return nil
}

type apiError struct {
	Type    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func invalid(format string, args ...any) *apiError {
	return &apiError{"InvalidParameterException", fmt.Sprintf(format, args...), http.StatusBadRequest}
}

func clientError(format string, args ...any) *apiError {
	return &apiError{"ClientException", fmt.Sprintf(format, args...), http.StatusBadRequest}
}

func clusterNotFound() *apiError {
	return &apiError{"ClusterNotFoundException", "Cluster not found.", http.StatusBadRequest}
}

func internal(err error) *apiError {
	return &apiError{"ServerException", err.Error(), http.StatusInternalServerError}
}

type handler func(s *Service, region string, body []byte) (any, *apiError)

var handlers = map[string]handler{
	"CreateCluster":              decoded((*Service).createCluster),
	"DescribeClusters":           decoded((*Service).describeClusters),
	"DeleteCluster":              decoded((*Service).deleteCluster),
	"ListClusters":               decoded((*Service).listClusters),
	"RegisterTaskDefinition":     decoded((*Service).registerTaskDefinition),
	"DescribeTaskDefinition":     decoded((*Service).describeTaskDefinition),
	"DeregisterTaskDefinition":   decoded((*Service).deregisterTaskDefinition),
	"ListTaskDefinitions":        decoded((*Service).listTaskDefinitions),
	"ListTaskDefinitionFamilies": decoded((*Service).listTaskDefinitionFamilies),
	"RunTask":                    decoded((*Service).runTask),
	"DescribeTasks":              decoded((*Service).describeTasks),
	"ListTasks":                  decoded((*Service).listTasks),
	"StopTask":                   decoded((*Service).stopTask),
	"TagResource":                decoded((*Service).tagResource),
	"UntagResource":              decoded((*Service).untagResource),
	"ListTagsForResource":        decoded((*Service).listTagsForResource),
}

func decoded[In any, Out any](op func(*Service, string, *In) (Out, *apiError)) handler {
	return func(s *Service, region string, body []byte) (any, *apiError) {
		in := new(In)
		if len(body) == 0 {
			body = []byte("{}")
		}
		if err := json.Unmarshal(body, in); err != nil {
			return nil, &apiError{"SerializationException", err.Error(), http.StatusBadRequest}
		}
		return op(s, region, in)
	}
}

// Handle serves one operation and returns the HTTP status and JSON body.
func (s *Service) Handle(region, operation string, body []byte) (int, []byte) {
	h, ok := handlers[operation]
	if !ok {
		return encodeError(&apiError{"UnknownOperationException", "Unknown operation " + operation, http.StatusBadRequest})
	}
	s.mu.Lock()
	out, aerr := h(s, region, body)
	s.mu.Unlock()
	if aerr != nil {
		return encodeError(aerr)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return encodeError(internal(err))
	}
	return http.StatusOK, b
}

func encodeError(e *apiError) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	return e.Status, b
}

// AuthError renders a request-authentication failure as ECS does.
func AuthError(kind, message string) (int, []byte) {
	return encodeError(&apiError{kind, message, http.StatusBadRequest})
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Service) arn(region, resource string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s", region, s.account, resource)
}
