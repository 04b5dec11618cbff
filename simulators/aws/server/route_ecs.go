package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/simulators/aws/ecs"
	"github.com/sockerless/sockerless/simulators/aws/logs"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// openECS builds ECS: task images come from this simulator's ECR, output
// goes to its CloudWatch Logs, unpacked images and task layers live
// under DataDir/ecs (a temporary directory without DataDir).
func (s *Server) openECS() error {
	o := ecs.Options{Base: s.base(), Pull: s.pullImage, Logs: ecsLogs{s.ops.logs}, EFS: s.mountEFS}
	if s.cfg.DataDir != "" {
		o.Dir = filepath.Join(s.cfg.DataDir, "ecs")
	}
	var err error
	if o.Runtime, err = s.runtime(); err != nil {
		return err
	}
	e, err := ecs.New(o)
	if err != nil {
		return err
	}
	s.ecs = e
	return nil
}

// Runtime names the runtime ECS tasks' containers and Lambda image
// functions run on.
func (s *Server) Runtime() string { return s.ecs.Runtime() }

// runtime is the runtime Config.Runtime names ("" is the sandbox); each
// service keeps its containers' state in a directory of its own.
func (s *Server) runtime() (taskrun.Runtime, error) {
	name := s.cfg.Runtime
	if name == "" {
		name = taskrun.RuntimeSandbox
	}
	return taskrun.NewRuntime(name, "")
}

func (s *Server) closeECS() error {
	if s.ecs == nil {
		return nil
	}
	return s.ecs.Close()
}

// ECS exposes the ECS service.
func (s *Server) ECS() *ecs.Service { return s.ecs }

// ecrHostRE matches ECR's real registry hosts, which name this
// simulator's registry when a task definition was written for AWS.
var ecrHostRE = regexp.MustCompile(`^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$`)

// pullImage fetches an image from this simulator's own registry, logged
// in with an ECR token as the Fargate agent would be with the execution
// role. Other registries are out of reach of a loopback simulator.
func (s *Server) pullImage(ctx context.Context, image string) (v1.Image, error) {
	if s.ln == nil {
		return nil, errors.New("awssim: the simulator is not listening, so its registry cannot be pulled from")
	}
	ref, err := name.ParseReference(image, name.Insecure)
	if err != nil {
		return nil, err
	}
	own := s.ln.Addr().String()
	host := ref.Context().RegistryStr()
	_, port, _ := strings.Cut(own, ":")
	if host != own && host != "localhost:"+port && !ecrHostRE.MatchString(host) {
		return nil, fmt.Errorf("awssim: only images in the simulator's ECR (%s/<repository>) can be pulled, not from %s", own, host)
	}
	sep := ":"
	if _, ok := ref.(name.Digest); ok {
		sep = "@"
	}
	ref, err = name.ParseReference(own+"/"+ref.Context().RepositoryStr()+sep+ref.Identifier(), name.Insecure)
	if err != nil {
		return nil, err
	}
	auth, err := s.registryAuth()
	if err != nil {
		return nil, err
	}
	return remote.Image(ref, remote.WithAuth(auth), remote.WithContext(ctx))
}

func (s *Server) registryAuth() (authn.Authenticator, error) {
	status, b := s.ops.ecr.Handle("us-east-1", "GetAuthorizationToken", []byte("{}"))
	var out struct {
		AuthorizationData []struct {
			AuthorizationToken string `json:"authorizationToken"`
		} `json:"authorizationData"`
	}
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil || len(out.AuthorizationData) == 0 {
		return nil, fmt.Errorf("awssim: ECR token: %s", b)
	}
	raw, err := base64.StdEncoding.DecodeString(out.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		return nil, err
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	return &authn.Basic{Username: user, Password: pass}, nil
}

// ecsLogs is ECS's view of CloudWatch Logs.
type ecsLogs struct{ l *logs.Service }

func (e ecsLogs) GroupExists(region, group string) bool {
	in, _ := json.Marshal(map[string]any{"logGroupName": group, "limit": 1})
	status, _ := e.l.Handle(region, "DescribeLogStreams", in)
	return status == http.StatusOK
}

func (e ecsLogs) Append(region, group, stream string, lines []ecs.LogLine) error {
	evs := make([]logs.Event, len(lines))
	for i, l := range lines {
		evs[i] = logs.Event{Timestamp: l.Time, Message: l.Message}
	}
	return e.l.Append(region, group, stream, evs...)
}
