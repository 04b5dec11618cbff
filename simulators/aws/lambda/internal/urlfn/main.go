// Command urlfn is the aws-lambda-go function URL handler the Lambda tests
// deploy: it echoes what it received in the 2.0 event and answers in the
// shape the request path asks for.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Echo is what the function saw, sent back as the response body.
type Echo struct {
	Method    string            `json:"method"`
	RawPath   string            `json:"rawPath"`
	RawQuery  string            `json:"rawQuery"`
	Query     map[string]string `json:"query"`
	Body      string            `json:"body"`
	Base64    bool              `json:"base64"`
	Header    string            `json:"header"` // x-test
	Cookies   []string          `json:"cookies"`
	RouteKey  string            `json:"routeKey"`
	AccountID string            `json:"accountId"`
	AccessKey string            `json:"accessKey"`
	SourceIP  string            `json:"sourceIp"`
	UserAgent string            `json:"userAgent"`
	Version   string            `json:"version"`
	RequestID string            `json:"requestId"`
	TimeEpoch int64             `json:"timeEpoch"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var e events.LambdaFunctionURLRequest
	var extra struct {
		RouteKey string `json:"routeKey"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	json.Unmarshal(raw, &extra)
	switch e.RawPath {
	case "/plain":
		return map[string]bool{"plain": true}, nil
	case "/fail":
		return nil, errors.New("failed on purpose")
	case "/binary":
		return events.LambdaFunctionURLResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}),
			IsBase64Encoded: true,
		}, nil
	}
	echo := Echo{
		Method: e.RequestContext.HTTP.Method, RawPath: e.RawPath, RawQuery: e.RawQueryString,
		Query: e.QueryStringParameters, Body: e.Body, Base64: e.IsBase64Encoded, Header: e.Headers["x-test"],
		Cookies: e.Cookies, RouteKey: extra.RouteKey, AccountID: e.RequestContext.AccountID,
		SourceIP: e.RequestContext.HTTP.SourceIP, UserAgent: e.RequestContext.HTTP.UserAgent,
		Version: e.Version, RequestID: e.RequestContext.RequestID, TimeEpoch: e.RequestContext.TimeEpoch,
	}
	if a := e.RequestContext.Authorizer; a != nil && a.IAM != nil {
		echo.AccessKey = a.IAM.AccessKey
	}
	b, err := json.Marshal(echo)
	if err != nil {
		return nil, err
	}
	status := 200
	if s := e.QueryStringParameters["status"]; s != "" {
		status, _ = strconv.Atoi(s)
	}
	return events.LambdaFunctionURLResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Fn": "urlfn"},
		Body:       string(b),
		Cookies:    []string{"a=1; Path=/", "b=2"},
	}, nil
}

func main() { lambda.Start(handle) }
