// Package awsquery renders the AWS query protocol's error document (the
// XML answer of IAM and STS, whose requests are form-encoded Actions).
package awsquery

import (
	"encoding/xml"

	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// Error renders an error document in the namespace xmlns: the caller's
// fault (Type Sender) below status 500, the service's (Receiver) from it.
func Error(xmlns string, status int, code, message string) (int, []byte) {
	e := errorResponse{Xmlns: xmlns, RequestID: reqid.New()}
	e.Error.Type = "Sender"
	if status >= 500 {
		e.Error.Type = "Receiver"
	}
	e.Error.Code, e.Error.Message = code, message
	b, _ := xml.Marshal(e)
	return status, append([]byte(xml.Header), b...)
}
