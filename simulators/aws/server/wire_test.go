package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// rawCall sends a signed JSON 1.0 request and returns status and body as
// they are on the wire, for assertions the SDK's parsing would hide.
func rawCall(t *testing.T, url, op, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestWireErrors pins error bodies byte for byte where AWS's are known.
func TestWireErrors(t *testing.T) {
	srv := startServer(t, Config{})
	createSimple(t, newClients(t, srv.URL(), "test", "test"), "wire")
	rawCall(t, srv.URL(), "PutItem", `{"TableName":"wire","Item":{"id":{"S":"a"}}}`)
	cases := []struct {
		name, op, body string
		status         int
		want           string
	}{
		{"conditional check failed", "PutItem", `{"TableName":"wire","Item":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(id)"}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`},
		{"missing table", "DescribeTable", `{"TableName":"nope"}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found: Table: nope not found"}`},
		{"validation", "GetItem", `{"TableName":"wire","Key":{"id":{"N":"1"}}}`, 400,
			`{"__type":"com.amazon.coral.validate#ValidationException","message":"The provided key element does not match the schema"}`},
		{"bad attribute value", "PutItem", `{"TableName":"wire","Item":{"id":{"S":"a","N":"1"}}}`, 400,
			`{"__type":"com.amazon.coral.validate#ValidationException","message":"Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"}`},
		{"unknown operation", "Frobnicate", `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := rawCall(t, srv.URL(), c.op, c.body)
			if status != c.status || body != c.want {
				t.Errorf("got %d %s\nwant %d %s", status, body, c.status, c.want)
			}
			if h.Get("X-Amz-Crc32") != strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(body))), 10) {
				t.Errorf("X-Amz-Crc32 = %s", h.Get("X-Amz-Crc32"))
			}
		})
	}
}

// TestConcurrentConditionalUpdates: parallel clients incrementing one
// counter under a condition lose no update.
func TestConcurrentConditionalUpdates(t *testing.T) {
	srv := startServer(t, Config{DataDir: t.TempDir()})
	c := newClients(t, srv.URL(), "test", "test")
	createSimple(t, c, "ctr")
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := c.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: str("ctr"), Key: key("c"),
					UpdateExpression: str("ADD v :one"), ConditionExpression: str("attribute_not_exists(v) OR v < :max"),
					ExpressionAttributeValues: item{":one": n("1"), ":max": n("1000")}})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("ctr"), Key: key("c")})
	if err != nil {
		t.Fatal(err)
	}
	wantItem(t, got.Item, map[string]any{"id": "S:c", "v": "N:" + strconv.Itoa(workers*each)})
}
