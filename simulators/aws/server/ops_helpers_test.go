package server

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// opsClients are the SDK clients for CloudWatch Logs, IAM and ECR.
type opsClients struct {
	logs *cloudwatchlogs.Client
	iam  *iam.Client
	ecr  *ecr.Client
}

func newOpsClients(t testing.TB, url string) *opsClients {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(url),
		config.WithRetryMaxAttempts(1),
		config.WithSharedConfigProfile(""),
	)
	if err != nil {
		t.Fatal(err)
	}
	return &opsClients{logs: cloudwatchlogs.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), ecr: ecr.NewFromConfig(cfg)}
}

// opsStep is one SDK call of a stateful, in-order scenario.
type opsStep struct {
	name  string
	run   func(ctx context.Context, c *opsClients) (any, error)
	check func(t *testing.T, out any, err error)
}

func opsCall[T any](f func(context.Context, *opsClients) (T, error)) func(context.Context, *opsClients) (any, error) {
	return func(ctx context.Context, c *opsClients) (any, error) { return f(ctx, c) }
}

func runOpsSteps(t *testing.T, c *opsClients, steps []opsStep) {
	t.Helper()
	ctx := context.Background()
	for _, st := range steps {
		out, err := st.run(ctx, c)
		if !t.Run(st.name, func(t *testing.T) { st.check(t, out, err) }) {
			t.FailNow() // later steps depend on this one's state
		}
	}
}
