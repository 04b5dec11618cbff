// Package iam simulates the AWS Identity and Access Management query API
// (form-encoded POST, XML answers) for roles, inline role policies and
// customer managed policies.
//
// IAM here is a record, not a gate: roles and policies are stored,
// validated for shape (names, paths, JSON documents) and returned as IAM
// returns them, but no request anywhere in the simulator is authorised
// against them. Every configured credential acts as the account root.
package iam

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/aws/internal/awsquery"
	"github.com/sockerless/sockerless/simulators/kit/apierr"
	"github.com/sockerless/sockerless/simulators/kit/reqid"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

const xmlns = "https://iam.amazonaws.com/doc/2010-05-08/"

// Service is the (global) IAM endpoint of one account.
type Service struct{ *service.State[*store] }

// New loads persisted state from o.DB and returns a Service.
func New(o service.Base) (*Service, error) {
	st, err := service.Open(o, account.Default, openStore)
	if err != nil {
		return nil, err
	}
	return &Service{st}, nil
}

// apiError is an IAM error: Code and HTTP status as IAM sends them.
type apiError = apierr.Error

func noSuchEntity(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: fmt.Sprintf(format, args...)}
}

func alreadyExists(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "EntityAlreadyExists", Message: fmt.Sprintf(format, args...)}
}

func deleteConflict(msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "DeleteConflict", Message: msg}
}

func validation(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "ValidationError", Message: fmt.Sprintf(format, args...)}
}

func malformed() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "MalformedPolicyDocument", Message: "This policy contains invalid Json"}
}

func internal(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: "ServiceFailure", Message: err.Error()}
}

type handler func(s *Service, form url.Values) (any, *apiError)

var handlers = map[string]handler{
	"CreateRole":                  (*Service).createRole,
	"GetRole":                     (*Service).getRole,
	"DeleteRole":                  (*Service).deleteRole,
	"ListRoles":                   (*Service).listRoles,
	"AttachRolePolicy":            (*Service).attachRolePolicy,
	"DetachRolePolicy":            (*Service).detachRolePolicy,
	"ListAttachedRolePolicies":    (*Service).listAttachedRolePolicies,
	"PutRolePolicy":               (*Service).putRolePolicy,
	"GetRolePolicy":               (*Service).getRolePolicy,
	"DeleteRolePolicy":            (*Service).deleteRolePolicy,
	"ListRolePolicies":            (*Service).listRolePolicies,
	"CreatePolicy":                (*Service).createPolicy,
	"GetPolicy":                   (*Service).getPolicy,
	"GetPolicyVersion":            (*Service).getPolicyVersion,
	"DeletePolicy":                (*Service).deletePolicy,
	"ListInstanceProfilesForRole": (*Service).listInstanceProfilesForRole,
	"ListRoleTags":                (*Service).listRoleTags,
	"TagRole":                     (*Service).tagRole,
	"UntagRole":                   (*Service).untagRole,
	"GetUser":                     (*Service).getUser,
}

// Handle serves one query-protocol request whose form is already parsed,
// returning the HTTP status and XML body.
func (s *Service) Handle(form url.Values) (int, []byte) {
	action := form.Get("Action")
	h, ok := handlers[action]
	if !ok {
		if action == "" {
			return Error(http.StatusBadRequest, "MissingAction", "Missing Action")
		}
		return Error(http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version 2010-05-08", action))
	}
	s.Mu.Lock()
	out, aerr := h(s, form)
	s.Mu.Unlock()
	if aerr != nil {
		return Error(aerr.Status, aerr.Code, aerr.Message)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, xmlns)
	if out != nil {
		if err := xml.NewEncoder(&b).EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return Error(http.StatusInternalServerError, "ServiceFailure", err.Error())
		}
	}
	fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, reqid.New(), action)
	return http.StatusOK, b.Bytes()
}

// Error renders an IAM error document.
func Error(status int, code, message string) (int, []byte) {
	return awsquery.Error(xmlns, status, code, message)
}

// newID returns an IAM unique id: a four-letter kind prefix ("AROA" for
// roles, "ANPA" for policies) and 17 upper-case letters and digits.
func newID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b [17]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b[:])
}

// encodeDocument URL-encodes a policy document as IAM returns it (the CLI
// decodes it; SDK callers call url.QueryUnescape).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// members renders a list the way the query protocol does, as <member>
// elements inside the list's element, which is present even when empty.
type members[T any] struct {
	Member []T `xml:"member"`
}
