// Package awshost is the function host's AWS wiring: the DynamoDB state
// store, images resolved in their registries with ECR logged in with the
// function's role, the AWS config and CloudWatch Logs a compute driver is
// built with, and aws-lambda-go as the invocation adapter. Main is the
// whole of an AWS backend's bootstrap.
package awshost

import (
	"context"
	"fmt"
	"log/slog"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
	"github.com/sockerless/sockerless/functions/platform/aws/emf"
	"github.com/sockerless/sockerless/functions/state/dynamo"
)

// Environment variables every AWS function reads, besides host's.
// AWS_ENDPOINT_URL and the usual AWS_* variables are honoured by the
// SDK's default config.
const (
	// EnvTable names the DynamoDB table holding the state; it must exist
	// (the Terraform module or dynamo.CreateTable makes it).
	EnvTable = "SOCKERLESS_TABLE"
	// EnvLogGroup is the CloudWatch Logs group receiving workloads'
	// output.
	EnvLogGroup = "SOCKERLESS_LOG_GROUP"
	// EnvRegistryHosts lists, comma-separated, registry hosts that serve
	// ECR under another name (the simulator's host:port), logged in to
	// with ECR tokens like ECR's own hosts.
	EnvRegistryHosts = "SOCKERLESS_REGISTRY_HOSTS"
)

// Env is what an AWS compute driver is built from: the settings every
// function shares, the AWS config, the registries' keychain (ECR logged
// in), and CloudWatch Logs, where the workloads' output goes.
type Env struct {
	host.Settings
	AWS      aws.Config
	Keychain authn.Keychain
	Logs     *cloudwatchlogs.Client
	LogGroup string
}

// Function is one AWS backend as a control-plane function: its name and
// how its compute driver is built.
type Function struct {
	Name    string
	Compute func(ctx context.Context, env Env) (core.Compute, error)
}

// Main is the bootstrap of f: built once per cold start, each Lambda
// invocation's call.Call served by it.
func Main(f Function) { host.Main(f.Name, f.Build, Serve) }

// Build builds f's parts from the settings and the AWS environment.
func (f Function) Build(ctx context.Context, s host.Settings) (host.Parts, error) {
	table := s.Getenv(EnvTable)
	if table == "" {
		return host.Parts{}, fmt.Errorf("%s is not set: it names the DynamoDB table holding the state", EnvTable)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return host.Parts{}, fmt.Errorf("load AWS config: %w", err)
	}
	// Each backend's records are their own partition of the one table:
	// an ecs function never sees (nor reconciles) a lambda container.
	store, err := dynamo.New(ctx, dynamodb.NewFromConfig(awsCfg), table, dynamo.Partition(f.Name))
	if err != nil {
		return host.Parts{}, err
	}
	env := Env{
		Settings: s, AWS: awsCfg, Logs: cloudwatchlogs.NewFromConfig(awsCfg), LogGroup: s.Getenv(EnvLogGroup),
		Keychain: &ECRKeychain{Client: ecr.NewFromConfig(awsCfg), Hosts: s.RegistryHosts(s.Getenv(EnvRegistryHosts))},
	}
	compute, err := f.Compute(ctx, env)
	if err != nil {
		return host.Parts{}, err
	}
	return host.Parts{
		Name: f.Name, Store: store, Compute: compute,
		Images:  &remoteimages.Images{Name: f.Name, Keychain: env.Keychain, Registry: "ECR"},
		About:   about(s, awsCfg.Region, table),
		Metrics: emf.Metrics(f.Name),
	}, nil
}

// about is where the function runs, for docker info and docker version.
func about(s host.Settings, region, table string) [][2]string {
	name := s.Getenv("AWS_LAMBDA_FUNCTION_NAME") // Lambda sets it for every function
	if name == "" {
		name = "(not on Lambda)"
	}
	return [][2]string{{"Function", name}, {"Region", region}, {"Store", "DynamoDB table " + table}}
}

// Serve is Lambda's invocation adapter: the payload is the call.Call's
// JSON and the answer the call.Reply's, as functions/platform/aws/lambdainvoke
// sends and reads them. The Lambda request id goes with the call to the
// function's log line.
func Serve(h call.Handler) {
	awslambda.Start(func(ctx context.Context, c call.Call) (call.Reply, error) {
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			// The id Lambda's START, END and REPORT lines carry.
			ctx = host.WithInvocation(ctx, slog.String("aws_request_id", lc.AwsRequestID))
		}
		return h.Handle(ctx, c), nil
	})
}
