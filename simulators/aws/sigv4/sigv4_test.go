package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signed builds a request signed by the SDK's own signer, then sends it
// through a real HTTP server so the verifier sees it as the wire delivers
// it (Host moved out of the headers, Content-Length parsed).
func verifyOverWire(t *testing.T, v *Verifier, key, secret, query string, tamper func(*http.Request)) (Scope, error) {
	t.Helper()
	body := `{"TableName":"t"}`
	var scope Scope
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, r.ContentLength)
		r.Body.Read(b)
		scope, verr = v.Verify(r, b)
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/"+query, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.DescribeTable")
	req.Header.Set("X-Amz-Meta-Spaces", "  a   b  ")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "dynamodb", "eu-west-2", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return scope, verr
}

func TestVerify(t *testing.T) {
	v := NewVerifier(map[string]string{"test": "test", "AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"})
	cases := []struct {
		name, key, secret, query string
		tamper                   func(*http.Request)
		want                     error
	}{
		{"default credentials", "test", "test", "", nil, nil},
		{"second credentials", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", nil, nil},
		{"query string", "test", "test", "?b=2&a=x%20y&a=1", nil, nil},
		{"escaped path segment (a Lambda ARN)", "test", "test", "2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations", nil, nil},
		{"wrong secret", "test", "nope", "", nil, ErrSignature},
		{"unknown key", "someone", "test", "", nil, ErrUnknownKey},
		{"signed header changed", "test", "test", "", func(r *http.Request) { r.Header.Set("X-Amz-Target", "DynamoDB_20120810.DeleteTable") }, ErrSignature},
		{"no authorization", "test", "test", "", func(r *http.Request) { r.Header.Del("Authorization") }, ErrMissing},
		{"malformed", "test", "test", "", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense") }, ErrMalformed},
		{"expired", "test", "test", "", nil, ErrExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v.Now = time.Now
			if c.name == "expired" {
				v.Now = func() time.Time { return time.Now().Add(MaxSkew + time.Minute) }
			}
			scope, err := verifyOverWire(t, v, c.key, c.secret, c.query, c.tamper)
			if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if c.want == nil && (scope.Region != "eu-west-2" || scope.Service != "dynamodb" || scope.AccessKeyID != c.key) {
				t.Errorf("scope = %+v", scope)
			}
		})
	}
}
