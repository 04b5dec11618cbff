package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// fuzzServices are the JSON-protocol services by the index a fuzz input
// picks: target prefix, SigV4 service name and content type.
var fuzzServices = []struct{ prefix, signingName, contentType string }{
	{"DynamoDB_20120810.", "dynamodb", "application/x-amz-json-1.0"},
	{"Logs_20140328.", "logs", "application/x-amz-json-1.1"},
	{"AmazonEC2ContainerRegistry_V20150921.", "ecr", "application/x-amz-json-1.1"},
	{"AmazonEC2ContainerServiceV20141113.", "ecs", "application/x-amz-json-1.1"},
}

// signedRequest is a request signed as the SDKs sign it, so a fuzz input
// reaches the service's decoder rather than the signature check.
func signedRequest(t *testing.T, method, path, signingName string, body []byte) *http.Request {
	req, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
	if err != nil {
		t.Skipf("not a request: %v", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), signingName, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// FuzzJSONServices sends arbitrary signed operations and bodies to the
// JSON-protocol services (DynamoDB with its expression parser, Logs,
// ECR, ECS): every answer is a success or AWS's client-error shape,
// never a panic or a server error.
func FuzzJSONServices(f *testing.F) {
	seeds := []struct {
		svc      uint8
		op, body string
	}{
		{0, "CreateTable", `{"TableName":"t","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}`},
		{0, "PutItem", `{"TableName":"t","Item":{"id":{"S":"a"},"n":{"N":"1"}},"ConditionExpression":"attribute_not_exists(id) OR #n < :v","ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":v":{"N":"5"}}}`},
		{0, "UpdateItem", `{"TableName":"t","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n = n + :one, l = list_append(if_not_exists(l, :e), :e) REMOVE x ADD s :ss","ExpressionAttributeValues":{":one":{"N":"1"},":e":{"L":[]},":ss":{"SS":["x"]}}}`},
		{0, "Query", `{"TableName":"t","KeyConditionExpression":"id = :a AND begins_with(sk, :p)","FilterExpression":"size(l) > :z","ProjectionExpression":"id, l[0], m.k","ExpressionAttributeValues":{":a":{"S":"a"},":p":{"S":"x"},":z":{"N":"0"}},"Limit":1}`},
		{0, "TransactWriteItems", `{"TransactItems":[{"ConditionCheck":{"TableName":"t","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_exists(id)"}},{"Delete":{"TableName":"t","Key":{"id":{"S":"b"}}}}]}`},
		{0, "BatchWriteItem", `{"RequestItems":{"t":[{"PutRequest":{"Item":{"id":{"S":"c"},"b":{"B":"AAE="}}}}]}}`},
		{1, "PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}]}`},
		{1, "FilterLogEvents", `{"logGroupName":"g","filterPattern":"\"x\"","startTime":0}`},
		{2, "CreateRepository", `{"repositoryName":"r","tags":[{"Key":"k","Value":"v"}]}`},
		{3, "RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"c","image":"127.0.0.1:1/x","essential":true}],"cpu":"256","memory":"512"}`},
		{3, "ListTasks", `{"cluster":"default","desiredStatus":"STOPPED"}`},
	}
	for _, s := range seeds {
		f.Add(s.svc, s.op, []byte(s.body))
	}
	srv := startServer(f, Config{})
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, svc uint8, op string, body []byte) {
		if op == "RunTask" || op == "StartTask" {
			t.Skip("starts workloads: covered by the ECS scenarios")
		}
		s := fuzzServices[int(svc)%len(fuzzServices)]
		req := signedRequest(t, http.MethodPost, "/", s.signingName, body)
		req.Header.Set("Content-Type", s.contentType)
		req.Header.Set("X-Amz-Target", s.prefix+op)
		checkAWSAnswer(t, s.prefix+op, serveWithin(t, h, req))
	})
}

// FuzzLambdaAPI sends arbitrary signed REST calls to Lambda's API.
func FuzzLambdaAPI(f *testing.F) {
	f.Add("POST", "/2015-03-31/functions", []byte(`{"FunctionName":"f","Role":"arn:aws:iam::000000000000:role/r","PackageType":"Image","Code":{"ImageUri":"127.0.0.1:1/x:1"}}`))
	f.Add("GET", "/2015-03-31/functions/f", []byte(nil))
	f.Add("POST", "/2015-03-31/functions/f/invocations", []byte(`{}`))
	f.Add("PUT", "/2015-03-31/functions/f/configuration", []byte(`{"Timeout":3,"Environment":{"Variables":{"A":"b"}}}`))
	f.Add("POST", "/2021-10-31/functions/f/url", []byte(`{"AuthType":"NONE"}`))
	f.Add("DELETE", "/2015-03-31/functions/f", []byte(nil))
	srv := startServer(f, Config{})
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		if !strings.HasPrefix(path, "/20") || strings.Contains(path, "invocations") {
			t.Skip("not a Lambda API path, or an invoke (it starts workloads)")
		}
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
		default:
			t.Skip("method")
		}
		req := signedRequest(t, method, path, "lambda", body)
		checkAWSAnswer(t, method+" "+path, serveWithin(t, h, req))
	})
}

// serveWithin serves req, failing the input when it takes more than
// 10 s (a hang would otherwise stall the fuzzer with no input saved).
func serveWithin(t *testing.T, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { defer close(done); h.ServeHTTP(w, req) }()
	select {
	case <-done:
		return w
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer within 10 s")
		return nil
	}
}

// checkAWSAnswer fails unless w holds a success or a client error in
// the JSON protocols' error shape (an "__type" or a Lambda "Type"/"message").
func checkAWSAnswer(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code < 400 {
		return
	}
	if w.Code >= 500 {
		t.Fatalf("%s: server error %d: %s", what, w.Code, w.Body.String())
	}
	var e map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("%s: status %d with a body that is not JSON: %q", what, w.Code, w.Body.String())
	}
	if e["__type"] == nil && e["Type"] == nil && e["message"] == nil && e["Message"] == nil {
		t.Fatalf("%s: status %d with no error type or message: %s", what, w.Code, w.Body.String())
	}
}
