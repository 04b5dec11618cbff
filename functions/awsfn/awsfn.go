// Package awsfn assembles a control-plane function for AWS Lambda: core
// over the DynamoDB state store, images resolved in their registries
// (ECR logged in with the function's role), and one backend's compute
// driver, all configured from the function's environment as a cold
// start finds it. Main is the whole of a backend's bootstrap.
package awsfn

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/remoteimages"
	"github.com/sockerless/sockerless/functions/state/dynamo"
)

// Environment variables every AWS backend reads. AWS_ENDPOINT_URL and
// the usual AWS_* variables are honoured by the SDK's default config.
const (
	// EnvTable names the DynamoDB table holding the state; it must exist
	// (the Terraform module or dynamo.CreateTable makes it).
	EnvTable = "SOCKERLESS_TABLE"
	// EnvSecret is the hex-encoded key that signs agents' tokens; every
	// instance of the function must share it.
	EnvSecret = "SOCKERLESS_SECRET"
	// EnvAgentImage is the agent image in ECR (repository:tag).
	EnvAgentImage = "SOCKERLESS_AGENT_IMAGE"
	// EnvAgentURL is where agents dial the edge when a call does not say.
	EnvAgentURL = "SOCKERLESS_AGENT_URL"
	// EnvLogGroup receives workloads' output (ECS's awslogs).
	EnvLogGroup = "SOCKERLESS_LOG_GROUP"
	// EnvWorkloadRepository is the ECR repository a backend pushes the
	// images it makes to (the lambda backend's function images).
	EnvWorkloadRepository = "SOCKERLESS_WORKLOAD_REPOSITORY"
	// EnvRegistryHosts lists, comma-separated, registry hosts that serve
	// ECR under another name (the simulator's host:port), logged in to
	// with ECR tokens like ECR's own hosts.
	EnvRegistryHosts = "SOCKERLESS_REGISTRY_HOSTS"
)

// Env is what a backend's constructor reads: the AWS config, the ECR
// keychain and the environment.
type Env struct {
	AWS      aws.Config
	Keychain *remoteimages.ECRKeychain
	Getenv   func(string) string
}

// Backend is one AWS compute backend.
type Backend struct {
	Name    string
	Compute func(ctx context.Context, env Env) (core.Compute, error)
}

// FromEnv builds b's function from the process environment.
func FromEnv(ctx context.Context, log *slog.Logger, b Backend) (*core.Core, error) {
	table := os.Getenv(EnvTable)
	if table == "" {
		return nil, fmt.Errorf("%s is not set: it names the DynamoDB table holding the state", EnvTable)
	}
	secret, err := hex.DecodeString(os.Getenv(EnvSecret))
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("%s must be at least 16 hex-encoded bytes shared by all instances (got %d bytes, %v)", EnvSecret, len(secret), err)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	// Each backend's records are their own partition of the one table:
	// an ecs function never sees (nor reconciles) a lambda container.
	store, err := dynamo.New(ctx, dynamodb.NewFromConfig(awsCfg), table, dynamo.Partition(b.Name))
	if err != nil {
		return nil, err
	}
	env := Env{
		AWS:      awsCfg,
		Keychain: &remoteimages.ECRKeychain{Client: ecr.NewFromConfig(awsCfg), Hosts: registryHosts()},
		Getenv:   os.Getenv,
	}
	compute, err := b.Compute(ctx, env)
	if err != nil {
		return nil, err
	}
	return core.New(core.Config{
		Store: store, Compute: compute,
		Images: &remoteimages.Images{Backend: b.Name, Keychain: env.Keychain},
		Secret: secret, Backend: b.Name, Log: log,
	}), nil
}

// registryHosts are the hosts logged in to with ECR tokens besides ECR's
// own: those listed, and those of the repositories the function is
// configured with (they are ECR, whatever their name).
func registryHosts() []string {
	hosts := List(os.Getenv(EnvRegistryHosts))
	for _, ref := range []string{os.Getenv(EnvAgentImage), os.Getenv(EnvWorkloadRepository)} {
		if host, _, ok := strings.Cut(ref, "/"); ok {
			hosts = append(hosts, host)
		}
	}
	return hosts
}

// Main is a backend's bootstrap: it builds the function once per cold
// start and serves each Invoke's call.Call with it.
func Main(b Backend) {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	fn, err := FromEnv(ctx, log, b)
	cancel()
	if err != nil {
		// Exiting during init is how Lambda learns the function is
		// misconfigured: the Invoke fails with Runtime.ExitError.
		log.Error("sockerless function cannot start", "backend", b.Name, "err", err)
		os.Exit(1)
	}
	awslambda.Start(func(ctx context.Context, c call.Call) (call.Reply, error) {
		return fn.Handle(ctx, c), nil
	})
}
