// Package sts simulates the AWS Security Token Service query API
// (form-encoded POST, XML answers). Only GetCallerIdentity is served.
package sts

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsquery"
	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// Service answers STS calls for one account. Every configured access key
// is treated as the account's root credentials.
type Service struct {
	account string
}

// New returns an STS service for accountID.
func New(accountID string) *Service { return &Service{account: accountID} }

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

// Handle serves one query-protocol request whose form is already parsed.
func (s *Service) Handle(form url.Values) (int, []byte) {
	switch action := form.Get("Action"); action {
	case "GetCallerIdentity":
		var r getCallerIdentityResponse
		r.Xmlns = xmlns
		// For root credentials AWS reports the account id as UserId.
		r.Result.Arn = fmt.Sprintf("arn:aws:iam::%s:root", s.account)
		r.Result.UserID = s.account
		r.Result.Account = s.account
		r.Metadata.RequestID = reqid.New()
		return encode(http.StatusOK, r)
	case "":
		return Error(http.StatusBadRequest, "MissingAction", "Missing Action")
	default:
		return Error(http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version 2011-06-15", action))
	}
}

// Error renders an STS (query protocol) error document.
func Error(status int, code, message string) (int, []byte) {
	return awsquery.Error(xmlns, status, code, message)
}

func encode(status int, v any) (int, []byte) {
	b, err := xml.Marshal(v)
	if err != nil {
		return Error(http.StatusInternalServerError, "InternalFailure", err.Error())
	}
	return status, append([]byte(xml.Header), b...)
}
