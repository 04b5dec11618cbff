// Package efs simulates Amazon Elastic File System: the REST-JSON API
// (/2015-02-01/...) for file systems, access points, mount targets, tags
// and lifecycle configurations, and the storage itself: each file system
// is a directory under the simulator's data directory, and Mount resolves
// an access point to the directory a workload (an ECS task, a Lambda
// function) sees, as the EFS mount helper does.
//
// Resources are created "creating" and read "available" from then on;
// deletion is immediate. Subnets and security groups are recorded as
// given: the simulator has no VPC to check them against.
package efs

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/kit/apierr"
	"github.com/sockerless/sockerless/simulators/kit/reqid"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// PathPrefix is where EFS's API lives; the server routes requests under
// it to Handle.
const PathPrefix = "/2015-02-01/"

// Options configures a Service.
type Options struct {
	// Base is the state file, the account in ARNs and the clock.
	service.Base
	// Dir holds each file system's data in a directory named by its id;
	// empty means a temporary directory removed by Close.
	Dir string
	// MaxAccessPoints caps the access points of one file system (EFS's
	// quota, 10,000, when zero).
	MaxAccessPoints int
}

// Service is the EFS endpoint of one account and the file systems' data.
type Service struct {
	*service.State[*store]
	dir     string
	tempDir bool
	maxAPs  int
}

// New loads the state and makes the data directory.
func New(o Options) (*Service, error) {
	st, err := service.Open(o.Base, account.Default, openStore)
	if err != nil {
		return nil, err
	}
	s := &Service{State: st, dir: o.Dir, maxAPs: o.MaxAccessPoints}
	if s.maxAPs <= 0 {
		s.maxAPs = 10000
	}
	if s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "awssim-efs-"); err != nil {
			return nil, err
		}
		s.tempDir = true
	}
	return s, os.MkdirAll(s.dir, 0o755)
}

// Close removes the data directory when it was a temporary one.
func (s *Service) Close() error {
	if s.tempDir {
		return os.RemoveAll(s.dir)
	}
	return nil
}

// fsDir is where file system id keeps its data.
func (s *Service) fsDir(id string) string { return filepath.Join(s.dir, id) }

// request is one API call: the path's segments after the version, the
// query and the body.
type request struct {
	region string
	method string
	parts  []string
	query  url.Values
	body   []byte
}

func (r request) decode(v any) *apierr.Error {
	if len(r.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return badRequest("The request body could not be parsed: %v", err)
	}
	return nil
}

// Handle serves one EFS API request whose signature the server verified.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, region string, body []byte) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.EscapedPath(), PathPrefix), "/")
	var parts []string
	for _, p := range strings.Split(rest, "/") {
		u, err := url.PathUnescape(p)
		if err != nil {
			writeErr(w, badRequest("bad path segment %q", p))
			return
		}
		parts = append(parts, u)
	}
	req := request{region: region, method: r.Method, parts: parts, query: r.URL.Query(), body: body}
	status, out, err := s.route(req)
	if err != nil {
		writeErr(w, err)
		return
	}
	write(w, status, out)
}

type handler func(request) (int, any, *apierr.Error)

// route picks the operation by method and path shape ("file-systems/*"
// is a path with one id segment).
func (s *Service) route(r request) (int, any, *apierr.Error) {
	shape := r.parts[0]
	for i, p := range r.parts[1:] {
		if i == 0 {
			p = "*"
		}
		shape += "/" + p
	}
	ops := map[string]handler{
		"POST file-systems":                          s.createFileSystem,
		"GET file-systems":                           s.describeFileSystems,
		"GET file-systems/*":                         s.describeFileSystems,
		"DELETE file-systems/*":                      s.deleteFileSystem,
		"GET file-systems/*/lifecycle-configuration": s.describeLifecycle,
		"PUT file-systems/*/lifecycle-configuration": s.putLifecycle,
		"POST access-points":                         s.createAccessPoint,
		"GET access-points":                          s.describeAccessPoints,
		"DELETE access-points/*":                     s.deleteAccessPoint,
		"POST mount-targets":                         s.createMountTarget,
		"GET mount-targets":                          s.describeMountTargets,
		"DELETE mount-targets/*":                     s.deleteMountTarget,
		"GET mount-targets/*/security-groups":        s.describeMountTargetSecurityGroups,
		"PUT mount-targets/*/security-groups":        s.modifyMountTargetSecurityGroups,
		"POST resource-tags/*":                       s.tagResource,
		"DELETE resource-tags/*":                     s.untagResource,
		"GET resource-tags/*":                        s.listTagsForResource,
	}
	h := ops[r.method+" "+shape]
	if h == nil {
		return 0, nil, apierr.New(http.StatusNotFound, "UnknownOperationException", "awssim: %s %s%s is not an EFS operation the simulator serves", r.method, PathPrefix, strings.Join(r.parts, "/"))
	}
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return h(r)
}

func write(w http.ResponseWriter, status int, out any) {
	w.Header().Set("X-Amzn-Requestid", reqid.New())
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeErr answers in EFS's error shape: the code in X-Amzn-ErrorType
// and the body's ErrorCode, with Message.
func writeErr(w http.ResponseWriter, e *apierr.Error) {
	w.Header().Set("X-Amzn-Errortype", e.Code)
	body := map[string]string{"ErrorCode": e.Code, "Message": e.Message}
	write(w, e.Status, body)
}

// WriteError answers a request the server refused before Handle (a bad
// signature) in EFS's error shape.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeErr(w, apierr.New(status, code, "%s", message))
}

func badRequest(format string, a ...any) *apierr.Error {
	return apierr.New(http.StatusBadRequest, "BadRequest", format, a...)
}

func arn(region, acct, kind, id string) string {
	return fmt.Sprintf("arn:aws:elasticfilesystem:%s:%s:%s/%s", region, acct, kind, id)
}

// SetMaxAccessPoints changes the access point quota (tests reach it so).
func (s *Service) SetMaxAccessPoints(n int) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.maxAPs = n
}
