package server

import (
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/dynamodb"
	"github.com/sockerless/sockerless/simulators/aws/sigv4"
	"github.com/sockerless/sockerless/simulators/aws/sts"
	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

// maxBody admits Lambda's 50 MB zip upload, base64 inside JSON.
const maxBody = 70 << 20

const (
	msgSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgToken     = "The security token included in the request is invalid."
	msgMissing   = "Request is missing Authentication Token"
)

// Handler is the simulator's HTTP entry point.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.serveRegistry(w, r) {
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if target := r.Header.Get("X-Amz-Target"); strings.HasPrefix(target, dynamodb.TargetPrefix) {
			s.serveDynamoDB(w, r, strings.TrimPrefix(target, dynamodb.TargetPrefix), body)
			return
		}
		if s.serveOps(w, r, body) {
			return
		}
		if s.serveECS(w, r, body) {
			return
		}
		if isLambdaPath(r.URL.Path) {
			s.serveLambda(w, r, body)
			return
		}
		if form, ok := queryForm(r, body); ok {
			s.serveQuery(w, r, form, body)
			return
		}
		writeJSON(w, http.StatusBadRequest, []byte(`{"__type":"com.amazon.coral.service#UnknownOperationException"}`))
	})
}

func (s *Server) serveDynamoDB(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	scope, err := s.verifier.Verify(r, body)
	if err != nil {
		status, b := dynamodb.AuthError(authKind(err, "InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException"), authMessage(err))
		writeJSON(w, status, b)
		return
	}
	status, b := s.dynamo.Handle(scope.Region, op, body)
	writeJSON(w, status, b)
}

// serveQuery routes query-protocol calls by the SigV4 scope's service
// name, since STS and IAM share the wire format.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, form url.Values, body []byte) {
	scope, _ := sigv4.ParseScope(r)
	if scope.Service == "iam" {
		s.serveIAM(w, r, form, body)
		return
	}
	if scope.Service != "sts" && scope.Service != "" {
		writeXML(w, func() (int, []byte) {
			return sts.Error(http.StatusBadRequest, "InvalidAction", "awssim: the "+scope.Service+" query API is not simulated")
		})
		return
	}
	if _, err := s.verifier.Verify(r, body); err != nil {
		writeXML(w, func() (int, []byte) {
			return sts.Error(http.StatusForbidden, authKind(err, "SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken"), authMessage(err))
		})
		return
	}
	writeXML(w, func() (int, []byte) { return s.sts.Handle(form) })
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

func authKind(err error, badSig, unknownKey, missing string) string {
	switch {
	case errors.Is(err, sigv4.ErrUnknownKey):
		return unknownKey
	case errors.Is(err, sigv4.ErrMissing):
		return missing
	case errors.Is(err, sigv4.ErrSignature), errors.Is(err, sigv4.ErrExpired):
		return badSig
	}
	return "IncompleteSignatureException"
}

func authMessage(err error) string {
	switch {
	case errors.Is(err, sigv4.ErrUnknownKey):
		return msgToken
	case errors.Is(err, sigv4.ErrMissing):
		return msgMissing
	case errors.Is(err, sigv4.ErrSignature):
		return msgSignature
	case errors.Is(err, sigv4.ErrExpired):
		return "Signature expired: the request's X-Amz-Date is more than 15 minutes from the server's time."
	}
	return err.Error()
}

// writeJSON sends a JSON 1.0 answer with the CRC32 header DynamoDB sends
// and the SDK verifies.
func writeJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	h.Set("X-Amzn-Requestid", reqid.New())
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeXML(w http.ResponseWriter, render func() (int, []byte)) {
	status, b := render()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqid.New())
	w.WriteHeader(status)
	w.Write(b)
}
