package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// clients are the real SDK clients a test drives an endpoint with.
type clients struct {
	ddb *dynamodb.Client
	sts *sts.Client
}

func newClients(t testing.TB, url, key, secret string) *clients {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, secret, "")),
		config.WithBaseEndpoint(url),
		config.WithRetryMaxAttempts(1),
		config.WithSharedConfigProfile(""),
	)
	if err != nil {
		t.Fatal(err)
	}
	return &clients{ddb: dynamodb.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

// startServer runs a simulator on a free loopback port for the test.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// errorCode is the wire error code the SDK saw ("" for success).
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "non-API error: " + err.Error()
}

func s(v string) types.AttributeValue     { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue     { return &types.AttributeValueMemberN{Value: v} }
func ss(v ...string) types.AttributeValue { return &types.AttributeValueMemberSS{Value: v} }
func ns(v ...string) types.AttributeValue { return &types.AttributeValueMemberNS{Value: v} }
func l(v ...types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberL{Value: v}
}
func m(v map[string]types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: v}
}

// plain turns an AttributeValue into comparable Go values, sets sorted.
func plain(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + v.Value
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberB:
		return "B:" + string(v.Value)
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberNULL:
		return nil
	case *types.AttributeValueMemberSS:
		return "SS:" + sortedJoin(v.Value)
	case *types.AttributeValueMemberNS:
		return "NS:" + sortedJoin(v.Value)
	case *types.AttributeValueMemberL:
		out := make([]any, len(v.Value))
		for i, x := range v.Value {
			out[i] = plain(x)
		}
		return out
	case *types.AttributeValueMemberM:
		return plainItem(v.Value)
	}
	return fmt.Sprintf("%T", v)
}

func plainItem(it map[string]types.AttributeValue) map[string]any {
	if it == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range it {
		out[k] = plain(v)
	}
	return out
}

func sortedJoin(v []string) string {
	c := append([]string(nil), v...)
	sort.Strings(c)
	return strings.Join(c, ",")
}

func str(v string) *string { return aws.String(v) }
