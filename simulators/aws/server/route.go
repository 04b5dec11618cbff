package server

import (
	"hash/crc32"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/dynamodb"
	"github.com/sockerless/sockerless/simulators/aws/ec2"
	"github.com/sockerless/sockerless/simulators/aws/ecr"
	"github.com/sockerless/sockerless/simulators/aws/ecs"
	"github.com/sockerless/sockerless/simulators/aws/iam"
	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/aws/logs"
	"github.com/sockerless/sockerless/simulators/aws/sigv4"
	"github.com/sockerless/sockerless/simulators/aws/sts"
	"github.com/sockerless/sockerless/simulators/kit/reqid"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// maxBody admits Lambda's 50 MB zip upload, base64 inside JSON.
const maxBody = 70 << 20

// Handler is the simulator's HTTP entry point: every service registers
// the requests it claims, by wire protocol (ECR's registry by path, the
// JSON services by X-Amz-Target, Lambda and EFS by path, IAM, STS and EC2 by
// the query protocol's Action and their SigV4 scope).
func (s *Server) Handler() http.Handler {
	rt := &service.Router{MaxBody: maxBody, NotFound: func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		jsonV10.write(w, http.StatusBadRequest, []byte(`{"__type":"com.amazon.coral.service#UnknownOperationException"}`))
	}}
	rt.Register(
		service.Route{Name: "ecr-registry", Stream: true, Match: isRegistryPath, Serve: s.serveRegistry},
		s.jsonRoute("dynamodb", dynamodb.TargetPrefix, jsonV10, s.dynamo.Handle, dynamodb.AuthError),
		s.jsonRoute("logs", logs.TargetPrefix, jsonV11, s.ops.logs.Handle, jsonAuthError),
		s.jsonRoute("ecr", ecr.TargetPrefix, jsonV11, s.ops.ecr.Handle, jsonAuthError),
		s.jsonRoute("ecs", ecs.TargetPrefix, jsonV11, s.ecs.Handle, jsonAuthError),
		service.Route{Name: "lambda", Match: isLambdaPath, Serve: s.serveLambda},
		service.Route{Name: "efs", Match: isEFSPath, Serve: s.serveEFS},
		// IAM is global, so the scope's region (us-east-1 for every SDK)
		// is not used; a query without a scope's service is STS's.
		s.queryRoute("iam", []string{"iam"}, global(s.ops.iam.Handle), iam.Error),
		s.queryRoute("sts", []string{"sts", ""}, global(s.sts.Handle), sts.Error),
		s.queryRoute("ec2", []string{"ec2"}, ec2.New(s.cfg.AccountID).Handle, ec2.Error),
		service.Route{Name: "query", Match: isQuery, Serve: unsimulatedQuery},
	)
	return rt
}

// jsonProtocol is how an AWS JSON protocol version frames an answer.
type jsonProtocol struct {
	contentType string
	crc         bool // the X-Amz-Crc32 header DynamoDB sends and the SDK verifies
}

var (
	jsonV10 = jsonProtocol{"application/x-amz-json-1.0", true}
	jsonV11 = jsonProtocol{"application/x-amz-json-1.1", false}
)

func (p jsonProtocol) write(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", p.contentType)
	if p.crc {
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	}
	h.Set("X-Amzn-Requestid", reqid.New())
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// jsonAuthError is a signature failure in the common JSON error shape.
func jsonAuthError(code, message string) (int, []byte) {
	return awsjson.BadRequest(code, message).Response()
}

// jsonRoute claims the JSON-protocol calls whose X-Amz-Target starts with
// prefix, verifies their signature and hands the operation to handle.
func (s *Server) jsonRoute(name, prefix string, p jsonProtocol, handle func(region, op string, body []byte) (int, []byte), authError func(code, message string) (int, []byte)) service.Route {
	return service.Route{
		Name:  name,
		Match: func(r *http.Request, _ []byte) bool { return strings.HasPrefix(r.Header.Get("X-Amz-Target"), prefix) },
		Serve: func(w http.ResponseWriter, r *http.Request, body []byte) {
			scope, err := s.verifier.Verify(r, body)
			if err != nil {
				status, b := authError(sigv4.JSONCodes.Of(err))
				p.write(w, status, b)
				return
			}
			status, b := handle(scope.Region, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), prefix), body)
			p.write(w, status, b)
		},
	}
}

// queryRoute claims the query-protocol calls signed for one of scopes:
// STS, IAM and EC2 share the wire format and differ in the scope's
// service name and their error document; handle gets the scope's region.
func (s *Server) queryRoute(name string, scopes []string, handle func(region string, form url.Values) (int, []byte), errorDoc func(status int, code, message string) (int, []byte)) service.Route {
	return service.Route{
		Name: name,
		Match: func(r *http.Request, body []byte) bool {
			scope, _ := sigv4.ParseScope(r)
			_, ok := queryForm(r, body)
			return ok && slices.Contains(scopes, scope.Service)
		},
		Serve: func(w http.ResponseWriter, r *http.Request, body []byte) {
			scope, err := s.verifier.Verify(r, body)
			if err != nil {
				code, msg := sigv4.QueryCodes.Of(err)
				writeXML(w, func() (int, []byte) { return errorDoc(http.StatusForbidden, code, msg) })
				return
			}
			form, _ := queryForm(r, body)
			writeXML(w, func() (int, []byte) { return handle(scope.Region, form) })
		},
	}
}

// global is the handler of a service whose answers do not depend on the
// region (IAM, STS).
func global(handle func(url.Values) (int, []byte)) func(string, url.Values) (int, []byte) {
	return func(_ string, form url.Values) (int, []byte) { return handle(form) }
}

func isQuery(r *http.Request, body []byte) bool {
	_, ok := queryForm(r, body)
	return ok
}

// unsimulatedQuery answers a query-protocol call for a service that is
// not simulated.
func unsimulatedQuery(w http.ResponseWriter, r *http.Request, _ []byte) {
	scope, _ := sigv4.ParseScope(r)
	writeXML(w, func() (int, []byte) {
		return sts.Error(http.StatusBadRequest, "InvalidAction", "awssim: the "+scope.Service+" query API is not simulated")
	})
}

func queryForm(r *http.Request, body []byte) (url.Values, bool) {
	if r.Method == http.MethodGet && r.URL.Query().Get("Action") != "" {
		return r.URL.Query(), true
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	return form, err == nil && form.Get("Action") != ""
}

func writeXML(w http.ResponseWriter, render func() (int, []byte)) {
	status, b := render()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqid.New())
	w.WriteHeader(status)
	w.Write(b)
}
