package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestSignatureErrors checks that a wrong secret or an unknown key gets
// the error code and HTTP status AWS gives for each protocol.
func TestSignatureErrors(t *testing.T) {
	srv := startServer(t, Config{Credentials: map[string]string{"test": "test", "other": "s3cret"}})
	ctx := context.Background()
	cases := []struct {
		name, key, secret string
		service           string
		wantCode          string
		wantStatus        int
	}{
		{"dynamodb/second credential", "other", "s3cret", "dynamodb", "", 200},
		{"dynamodb/bad signature", "test", "wrong", "dynamodb", "InvalidSignatureException", 400},
		{"dynamodb/unknown key", "nobody", "test", "dynamodb", "UnrecognizedClientException", 400},
		{"sts/second credential", "other", "s3cret", "sts", "", 200},
		{"sts/bad signature", "test", "wrong", "sts", "SignatureDoesNotMatch", 403},
		{"sts/unknown key", "nobody", "test", "sts", "InvalidClientTokenId", 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClients(t, srv.URL(), tc.key, tc.secret)
			var err error
			if tc.service == "dynamodb" {
				_, err = c.ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
			} else {
				_, err = c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			}
			if got := errorCode(err); got != tc.wantCode {
				t.Fatalf("error code = %q, want %q (%v)", got, tc.wantCode, err)
			}
			if err == nil {
				return
			}
			var re *smithyhttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.wantStatus {
				t.Errorf("status = %v, want %d", err, tc.wantStatus)
			}
		})
	}
}

func TestUnsignedRequest(t *testing.T) {
	srv := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	if resp.StatusCode != 400 || !strings.Contains(body.String(), "MissingAuthenticationTokenException") {
		t.Errorf("status %d body %s", resp.StatusCode, body.String())
	}
}
