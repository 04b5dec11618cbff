package server

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/ecr"
	"github.com/sockerless/sockerless/simulators/aws/iam"
	"github.com/sockerless/sockerless/simulators/aws/logs"
)

// opsServices are the services the compute ones lean on: CloudWatch Logs
// (where Lambda and ECS write output), IAM (roles they are given) and ECR
// (images they run).
type opsServices struct {
	logs *logs.Service
	iam  *iam.Service
	ecr  *ecr.Service
}

// openOps builds CloudWatch Logs, IAM and ECR over the shared state file;
// ECR's layer blobs go under DataDir/ecr.
func (s *Server) openOps() error {
	var err error
	if s.ops.logs, err = logs.New(s.base()); err != nil {
		return err
	}
	if s.ops.iam, err = iam.New(s.base()); err != nil {
		return err
	}
	o := ecr.Options{Base: s.base(), Endpoint: func() string {
		if s.ln == nil {
			return "http://" + s.cfg.Addr
		}
		return s.URL()
	}}
	if s.cfg.DataDir != "" {
		o.BlobDir = filepath.Join(s.cfg.DataDir, "ecr", "blobs")
	}
	s.ops.ecr, err = ecr.New(o)
	return err
}

// Logs exposes CloudWatch Logs, e.g. for Lambda and ECS to write output
// with Append.
func (s *Server) Logs() *logs.Service { return s.ops.logs }

// IAM exposes the IAM service.
func (s *Server) IAM() *iam.Service { return s.ops.iam }

// ECR exposes the ECR service.
func (s *Server) ECR() *ecr.Service { return s.ops.ecr }

// isRegistryPath claims the OCI distribution API (/v2/...) for ECR's
// registry before the body is read: layers are large and streamed, and
// registry clients authenticate with the ECR token, not SigV4.
func isRegistryPath(r *http.Request, _ []byte) bool {
	return r.URL.Path == "/v2" || strings.HasPrefix(r.URL.Path, "/v2/")
}

func (s *Server) serveRegistry(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.ops.ecr.Registry().ServeHTTP(w, r)
}
