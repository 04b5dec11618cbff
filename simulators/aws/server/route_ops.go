package server

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/ecr"
	"github.com/sockerless/sockerless/simulators/aws/iam"
	"github.com/sockerless/sockerless/simulators/aws/logs"
	"github.com/sockerless/sockerless/simulators/kit/reqid"
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
	if s.ops.logs, err = logs.New(logs.Options{DB: s.db, AccountID: s.cfg.AccountID}); err != nil {
		return err
	}
	if s.ops.iam, err = iam.New(iam.Options{DB: s.db, AccountID: s.cfg.AccountID}); err != nil {
		return err
	}
	o := ecr.Options{DB: s.db, AccountID: s.cfg.AccountID, Endpoint: func() string {
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

// serveRegistry hands the OCI distribution API (/v2/...) to ECR's
// registry before the body is read: layers are large and streamed, and
// registry clients authenticate with the ECR token, not SigV4.
func (s *Server) serveRegistry(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/v2" && !strings.HasPrefix(r.URL.Path, "/v2/") {
		return false
	}
	s.ops.ecr.Registry().ServeHTTP(w, r)
	return true
}

// serveOps answers the JSON 1.1 APIs of CloudWatch Logs and ECR.
func (s *Server) serveOps(w http.ResponseWriter, r *http.Request, body []byte) bool {
	target := r.Header.Get("X-Amz-Target")
	var handle func(region, op string, body []byte) (int, []byte)
	var authError func(kind, msg string) (int, []byte)
	var op string
	switch {
	case strings.HasPrefix(target, logs.TargetPrefix):
		handle, authError, op = s.ops.logs.Handle, logs.AuthError, strings.TrimPrefix(target, logs.TargetPrefix)
	case strings.HasPrefix(target, ecr.TargetPrefix):
		handle, authError, op = s.ops.ecr.Handle, ecr.AuthError, strings.TrimPrefix(target, ecr.TargetPrefix)
	default:
		return false
	}
	scope, err := s.verifier.Verify(r, body)
	if err != nil {
		status, b := authError(authKind(err, "InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException"), authMessage(err))
		writeJSON11(w, status, b)
		return true
	}
	status, b := handle(scope.Region, op, body)
	writeJSON11(w, status, b)
	return true
}

// serveIAM answers IAM's query API; IAM is global, so the scope's region
// (us-east-1 for every SDK) is not used.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request, form url.Values, body []byte) {
	if _, err := s.verifier.Verify(r, body); err != nil {
		writeXML(w, func() (int, []byte) {
			return iam.Error(http.StatusForbidden, authKind(err, "SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken"), authMessage(err))
		})
		return
	}
	writeXML(w, func() (int, []byte) { return s.ops.iam.Handle(form) })
}

func writeJSON11(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-Requestid", reqid.New())
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
