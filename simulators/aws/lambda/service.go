// Package lambda simulates AWS Lambda for zip functions on the provided
// runtimes and for container-image functions from the simulator's ECR:
// the control-plane API (create, get, update, delete, list, invoke,
// function URL configurations), for each running instance the Lambda
// Runtime API that the function's own bootstrap (e.g. one built with
// aws-lambda-go) polls, and function URLs themselves.
//
// Two departures from AWS, both forced by running on one host: an image
// function's process is not chrooted into its image (see image.go), and a
// function URL is http://<simulator>/lambda-url/<url-id>/ rather than
// https://<url-id>.lambda-url.<region>.on.aws/ (see url.go).
package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/kit/imagefs"
	"github.com/sockerless/sockerless/simulators/kit/service"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

var bucket = []byte("lambda")

// LogEvent is one line a function printed, as CloudWatch Logs stores it.
type LogEvent struct {
	Time    time.Time
	Message string
}

// LogSink receives each invocation's log lines (START … REPORT) for the
// function's log group and its instance's stream, as Lambda ships them to
// CloudWatch Logs. It runs on the invocation's path, so it should be quick.
// The service keeps recent lines in memory regardless.
type LogSink func(region, group, stream string, events []LogEvent)

// Options configures a Service.
type Options struct {
	// Base is the state file (function configurations) and the account
	// in ARNs.
	service.Base
	// Dir holds code zips and their unpacked copies. Empty means a
	// temporary directory removed on Close.
	Dir string
	// AccessKeyID and SecretAccessKey are handed to functions, as Lambda
	// hands them the execution role's credentials.
	AccessKeyID, SecretAccessKey string
	// Endpoint, if set, returns the simulator's URL; functions get it as
	// AWS_ENDPOINT_URL so their SDK calls reach the simulator.
	Endpoint func() string
	LogSink  LogSink
	// Pull fetches a container image by reference from the simulator's
	// ECR; nil refuses PackageType Image.
	Pull func(ctx context.Context, image string) (v1.Image, error)
	// EFS mounts an EFS access point as the mount helper would (file
	// system id "" for the access point's own), returning the host
	// directory; nil fails functions with FileSystemConfigs.
	EFS func(region, fileSystemID, accessPointID, rootDirectory string) (string, error)
	// MaxInstances caps concurrent instances per function (default 10).
	MaxInstances int
	// IdleTimeout is how long an unused warm instance is kept (default
	// 10 minutes).
	IdleTimeout time.Duration
	// Runtime runs image functions: native containers over the image
	// when Runtime.Native, else the sandbox (the agent) or the image's
	// program as a host process.
	Runtime taskrun.Runtime
}

// Service is the Lambda endpoint and the instances it runs.
type Service struct {
	opts   Options
	dir    string
	home   *imagefs.Home  // dir and images; a temporary dir when Options.Dir is empty
	images *imagefs.Cache // container images, unpacked once per digest

	mu  sync.Mutex
	fns map[string]*function // region/name

	ctx    context.Context
	cancel context.CancelFunc
	events sync.WaitGroup // Event invocations in flight, and the idle reaper
}

// function is one function's stored record and its running state.
type function struct {
	Region  string        `json:"region"`
	CodeHex string        `json:"codeHex"` // sha256 of the zip, names its file
	Config  Configuration `json:"config"`
	// ImageURI is the image as given and ResolvedImageURI the same image
	// pinned by digest, for PackageType Image.
	ImageURI         string     `json:"imageUri,omitempty"`
	ResolvedImageURI string     `json:"resolvedImageUri,omitempty"`
	URL              *urlConfig `json:"url,omitempty"`
	// Tags are the function's tags (TagResource, CreateFunction's Tags).
	Tags map[string]string `json:"tags,omitempty"`
	// Reserved is the reserved concurrency (PutFunctionConcurrency),
	// nil for none.
	Reserved *int `json:"reserved,omitempty"`

	pool *pool
	logs *logRing
}

func key(region, name string) string { return region + "/" + name }

// New loads the persisted functions; instances start on first Invoke.
func New(o Options) (*Service, error) {
	o.Base = o.Base.Defaults(account.Default)
	if o.MaxInstances <= 0 {
		o.MaxInstances = 10
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	s := &Service{opts: o, fns: map[string]*function{}}
	home, err := imagefs.OpenHome(o.Dir, "awssim-lambda-")
	if err != nil {
		return nil, err
	}
	s.home, s.dir, s.images = home, home.Dir, home.Images
	if s.opts.Runtime.Native && s.opts.Runtime.State == "" {
		s.opts.Runtime.State = filepath.Join(s.dir, "native")
	}
	for _, sub := range []string{"code", "run"} {
		if err := os.MkdirAll(filepath.Join(s.dir, sub), 0o700); err != nil {
			home.Close()
			return nil, err
		}
	}
	if err := s.load(); err != nil {
		home.Close()
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.events.Add(1)
	go s.reapIdle()
	return s, nil
}

// load reads the persisted functions.
func (s *Service) load() error {
	if s.opts.DB == nil {
		return nil
	}
	return s.opts.DB.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			f := &function{}
			if err := json.Unmarshal(v, f); err != nil {
				return fmt.Errorf("lambda: function %s: %w", k, err)
			}
			f.logs = newLogRing(1000)
			s.fns[string(k)] = f
			return nil
		})
	})
}

// Close stops every instance and waits for Event invocations to end.
func (s *Service) Close() error {
	s.mu.Lock()
	s.cancel() // under mu: InvokeAsync checks it there before events.Add
	for _, f := range s.fns {
		if f.pool != nil {
			f.pool.retire(true)
		}
	}
	s.mu.Unlock()
	s.events.Wait()
	return s.home.Close()
}

// reapIdle stops instances unused for IdleTimeout until Close.
func (s *Service) reapIdle() {
	defer s.events.Done()
	t := time.NewTicker(max(s.opts.IdleTimeout/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		pools := make([]*pool, 0, len(s.fns))
		for _, f := range s.fns {
			if f.pool != nil {
				pools = append(pools, f.pool)
			}
		}
		s.mu.Unlock()
		for _, p := range pools {
			p.reap(time.Now().Add(-s.opts.IdleTimeout))
		}
	}
}

// Logs returns the most recent log lines of a function (up to 1000).
func (s *Service) Logs(region, name string) []LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.fns[key(region, name)]; f != nil {
		return f.logs.all()
	}
	return nil
}

func (s *Service) codePath(region, name, hex string) string {
	return filepath.Join(s.dir, "code", region, name, hex+".zip")
}

// save persists f (nil DB: nothing to do) before the caller publishes it.
func (s *Service) save(f *function) error {
	if s.opts.DB == nil {
		return nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return s.opts.DB.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(key(f.Region, f.Config.FunctionName)), b)
	})
}

func (s *Service) remove(region, name string) error {
	if s.opts.DB == nil {
		return nil
	}
	return s.opts.DB.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(key(region, name)))
	})
}

// writeCode stores a zip under its hash; identical code is stored once.
func (s *Service) writeCode(region, name, hex string, zip []byte) error {
	p := s.codePath(region, name, hex)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, zip, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// lookup finds a function; the caller holds s.mu.
func (s *Service) lookup(region, ref string) (*function, error) {
	name, qual, err := parseName(ref)
	if err != nil {
		return nil, err
	}
	f := s.fns[key(region, name)]
	if f == nil {
		return nil, notFound(functionARN(region, s.opts.AccountID, name))
	}
	if qual != "" && qual != "$LATEST" {
		return nil, notFound(functionARN(region, s.opts.AccountID, name) + ":" + qual)
	}
	return f, nil
}

func (s *Service) list(region string) []Configuration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Configuration
	for _, f := range s.fns {
		if f.Region == region {
			out = append(out, f.Config)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FunctionName < out[j].FunctionName })
	return out
}

var errClosed = errors.New("lambda: the simulator is shutting down")
