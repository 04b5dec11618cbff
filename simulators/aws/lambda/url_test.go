package lambda_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// urlEcho is urlfn's report of the event it received.
type urlEcho struct {
	Method    string            `json:"method"`
	RawPath   string            `json:"rawPath"`
	RawQuery  string            `json:"rawQuery"`
	Query     map[string]string `json:"query"`
	Body      string            `json:"body"`
	Base64    bool              `json:"base64"`
	Header    string            `json:"header"`
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

type httpResult struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, req *http.Request) httpResult {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpResult{resp.StatusCode, resp.Header, b}
}

func newRequest(t *testing.T, method, url string, body []byte, header map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

func TestFunctionURL(t *testing.T) {
	srv, c := start(t, server.Config{})
	ctx := context.Background()
	if _, err := c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("web"), Runtime: types.RuntimeProvidedal2023, Role: aws.String(role),
		Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: zipOf(t, zipEntry{"bootstrap", 0o755, urlFn})},
	}); err != nil {
		t.Fatal(err)
	}
	const origin = "https://app.example"
	created, err := c.CreateFunctionUrlConfig(ctx, &awslambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowOrigins: []string{origin}, AllowMethods: []string{"GET", "POST"}, ExposeHeaders: []string{"x-fn"}, MaxAge: aws.Int32(60)},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := *created.FunctionUrl
	if !strings.HasPrefix(base, srv.URL()+"/lambda-url/") || !strings.HasSuffix(base, "/") || created.AuthType != types.FunctionUrlAuthTypeNone {
		t.Fatalf("FunctionUrl %q AuthType %s", base, created.AuthType)
	}
	_, err = c.CreateFunctionUrlConfig(ctx, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeNone})
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("second create: %v, want ResourceConflictException", err)
	}

	cases := []struct {
		name   string
		req    *http.Request
		status int
		check  func(t *testing.T, r httpResult)
	}{
		{"event and full response", newRequest(t, "POST", base+"items/42?x=1&x=2&status=201", []byte(`{"a":1}`), map[string]string{
			"Content-Type": "application/json", "X-Test": "hi", "Cookie": "c1=v1; c2=v2", "Origin": origin, "User-Agent": "ua/1"}), 201,
			func(t *testing.T, r httpResult) {
				var e urlEcho
				if err := json.Unmarshal(r.body, &e); err != nil {
					t.Fatalf("body %q: %v", r.body, err)
				}
				if e.Method != "POST" || e.RawPath != "/items/42" || e.RawQuery != "x=1&x=2&status=201" || e.Query["x"] != "1,2" ||
					e.Body != `{"a":1}` || e.Base64 || e.Header != "hi" || !slices.Equal(e.Cookies, []string{"c1=v1", "c2=v2"}) ||
					e.RouteKey != "$default" || e.AccountID != "anonymous" || e.SourceIP != "127.0.0.1" || e.UserAgent != "ua/1" ||
					e.Version != "2.0" || e.RequestID == "" || time.Since(time.UnixMilli(e.TimeEpoch)) > time.Minute {
					t.Errorf("event %+v", e)
				}
				if r.header.Get("X-Fn") != "urlfn" || len(r.header.Values("Set-Cookie")) != 2 ||
					r.header.Get("Access-Control-Allow-Origin") != origin || r.header.Get("Access-Control-Expose-Headers") != "x-fn" {
					t.Errorf("headers %v", r.header)
				}
			}},
		{"binary request body", newRequest(t, "POST", base, []byte{0, 0xff, 0xfe}, map[string]string{"Content-Type": "application/octet-stream"}), 200,
			func(t *testing.T, r httpResult) {
				var e urlEcho
				json.Unmarshal(r.body, &e)
				if !e.Base64 || e.Body != base64.StdEncoding.EncodeToString([]byte{0, 0xff, 0xfe}) {
					t.Errorf("event %+v", e)
				}
				if r.header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("CORS headers without an Origin: %v", r.header)
				}
			}},
		{"plain result", newRequest(t, "GET", base+"plain", nil, nil), 200, func(t *testing.T, r httpResult) {
			if string(r.body) != `{"plain":true}` || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("got %q %v", r.body, r.header)
			}
		}},
		{"binary response", newRequest(t, "GET", base+"binary", nil, nil), 200, func(t *testing.T, r httpResult) {
			if !bytes.Equal(r.body, []byte{0, 1, 2, 255}) || r.header.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("got %v %v", r.body, r.header)
			}
		}},
		{"function error", newRequest(t, "GET", base+"fail", nil, nil), 502, func(t *testing.T, r httpResult) {
			if !strings.Contains(string(r.body), "Internal Server Error") {
				t.Errorf("body %q", r.body)
			}
		}},
		{"CORS preflight", newRequest(t, "OPTIONS", base+"items", nil, map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"}), 200,
			func(t *testing.T, r httpResult) {
				if r.header.Get("Access-Control-Allow-Methods") != "GET,POST" || r.header.Get("Access-Control-Max-Age") != "60" || len(r.body) != 0 {
					t.Errorf("preflight %v %q", r.header, r.body)
				}
			}},
		{"unknown URL", newRequest(t, "GET", srv.URL()+"/lambda-url/nosuchid/", nil, nil), 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.req)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}

	// AWS_IAM: unsigned requests are refused, SigV4-signed ones reach the
	// function with the caller in the authorizer context.
	if _, err := c.UpdateFunctionUrlConfig(ctx, &awslambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetFunctionUrlConfig(ctx, &awslambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	if err != nil || got.AuthType != types.FunctionUrlAuthTypeAwsIam || *got.FunctionUrl != base || got.Cors == nil || *got.Cors.MaxAge != 60 {
		t.Fatalf("get after update: %+v %v", got, err)
	}
	if r := do(t, newRequest(t, "GET", base+"signed", nil, nil)); r.status != http.StatusForbidden {
		t.Fatalf("unsigned AWS_IAM request: %d %s", r.status, r.body)
	}
	req := newRequest(t, "GET", base+"signed", nil, nil)
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req, hex.EncodeToString(sum[:]), "lambda", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	r := do(t, req)
	var e urlEcho
	if json.Unmarshal(r.body, &e); r.status != 200 || e.AccessKey != "test" || e.AccountID != "000000000000" {
		t.Fatalf("signed request: %d %s", r.status, r.body)
	}

	list, err := c.ListFunctionUrlConfigs(ctx, &awslambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("web")})
	if err != nil || len(list.FunctionUrlConfigs) != 1 || *list.FunctionUrlConfigs[0].FunctionUrl != base {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := c.DeleteFunctionUrlConfig(ctx, &awslambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	var nf *types.ResourceNotFoundException
	if _, err := c.GetFunctionUrlConfig(ctx, &awslambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")}); !errors.As(err, &nf) {
		t.Fatalf("get after delete: %v", err)
	}
	if r := do(t, newRequest(t, "GET", base, nil, nil)); r.status != http.StatusNotFound {
		t.Fatalf("deleted URL still served: %d", r.status)
	}
	var ve *types.InvalidParameterValueException
	_, err = c.CreateFunctionUrlConfig(ctx, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: "OPEN"})
	if err == nil || errors.As(err, &ve) {
		t.Fatalf("bad AuthType: %v, want a ValidationException", err)
	}
}
