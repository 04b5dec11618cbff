package server

import (
	"net/http"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/lambda"
	"github.com/sockerless/sockerless/simulators/aws/logs"
	"github.com/sockerless/sockerless/simulators/aws/sigv4"
)

func isLambdaPath(r *http.Request, _ []byte) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, lambda.PathPrefix) || strings.HasPrefix(p, lambda.URLAPIPrefix) || strings.HasPrefix(p, lambda.URLPathPrefix) || lambda.IsSidePath(p)
}

// openLambda builds the Lambda service: configurations in the state file,
// code under DataDir/lambda (a temporary directory without DataDir), and
// functions signed in with the first configured test credential.
func (s *Server) openLambda() error {
	keys := make([]string, 0, len(s.cfg.Credentials))
	for k := range s.cfg.Credentials {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rt, err := s.runtime()
	if err != nil {
		return err
	}
	o := lambda.Options{
		Runtime:         rt,
		Base:            s.base(),
		Pull:            s.pullImage, // the same ECR access as ECS tasks
		EFS:             s.mountEFS,  // the same storage as ECS tasks
		AccessKeyID:     keys[0],
		SecretAccessKey: s.cfg.Credentials[keys[0]],
		Endpoint: func() string {
			if s.ln == nil {
				return ""
			}
			return s.URL()
		},
	}
	if s.ops.logs != nil {
		o.LogSink = func(region, group, stream string, events []lambda.LogEvent) {
			evs := make([]logs.Event, len(events))
			for i, e := range events {
				evs[i] = logs.Event{Timestamp: e.Time, Message: e.Message}
			}
			// Best effort, as in Lambda: a function's answer does not
			// depend on its logs being stored.
			s.ops.logs.Append(region, group, stream, evs...)
		}
	}
	if s.cfg.DataDir != "" {
		o.Dir = filepath.Join(s.cfg.DataDir, "lambda")
	}
	l, err := lambda.New(o)
	if err != nil {
		return err
	}
	s.lambda = l
	return nil
}

func (s *Server) closeLambda() error {
	if s.lambda == nil {
		return nil
	}
	return s.lambda.Close()
}

// Lambda exposes the Lambda service, e.g. to read a function's logs.
func (s *Server) Lambda() *lambda.Service { return s.lambda }

func (s *Server) serveLambda(w http.ResponseWriter, r *http.Request, body []byte) {
	if strings.HasPrefix(r.URL.Path, lambda.URLPathPrefix) {
		// A function URL: unsigned unless its AuthType is AWS_IAM, which
		// Lambda checks once it knows the URL's configuration.
		s.lambda.ServeURL(w, r, body, func() (string, error) {
			scope, err := s.verifier.Verify(r, body)
			return scope.AccessKeyID, err
		})
		return
	}
	scope, err := s.verifier.Verify(r, body)
	if err != nil {
		code, msg := sigv4.JSONCodes.Of(err)
		lambda.WriteError(w, http.StatusForbidden, code, msg)
		return
	}
	s.lambda.Handle(w, r, scope.Region, body)
}
