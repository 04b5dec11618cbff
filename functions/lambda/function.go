// Package lambda assembles the control-plane function that runs on AWS
// Lambda: core over the DynamoDB state store, configured from the
// function's environment.
//
// Running workloads on this backend is not built yet. Its Compute and
// Images answer every method with ErrNotImplemented, a visible
// unimplemented part rather than a fake: Docker calls that only touch
// state (version, info, volumes, networks, inspecting and listing) work,
// and anything that needs a workload or image content fails with a clear
// message.
package lambda

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/moby/moby/api/types/jsonstream"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state/dynamo"
)

// Environment variables the function reads. AWS_ENDPOINT_URL and the
// usual AWS_* variables are honoured by the SDK's default config.
const (
	// EnvTable names the DynamoDB table holding the state; it must exist
	// (dynamo.CreateTable makes it).
	EnvTable = "SOCKERLESS_TABLE"
	// EnvSecret is the hex-encoded key that signs agents' tokens; every
	// instance of the function must share it.
	EnvSecret = "SOCKERLESS_SECRET"
)

// Backend is the backend's name in `docker info` and in messages.
const Backend = "lambda"

// VolumeRoot is the directory under which a workload will mount named
// volumes; a volume's Mountpoint is VolumeRoot + its name.
const VolumeRoot = "/mnt/sockerless/volumes/"

// ErrNotImplemented is what the lambda backend answers for anything that
// runs a container or holds image content. It wraps core.ErrUnsupported
// so core's "this backend cannot" paths apply.
var ErrNotImplemented = fmt.Errorf("running containers on the %s backend is not implemented yet: %w", Backend, core.ErrUnsupported)

// FromEnv builds the function from the process environment, as a Lambda
// cold start does.
func FromEnv(ctx context.Context, log *slog.Logger) (*core.Core, error) {
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
	store, err := dynamo.New(ctx, dynamodb.NewFromConfig(awsCfg), table)
	if err != nil {
		return nil, err
	}
	return core.New(core.Config{
		Store: store, Compute: NoWorkloads{}, Images: NoWorkloads{},
		Secret: secret, Backend: Backend, Log: log,
	}), nil
}

// NoWorkloads is the lambda backend's Compute and Images until
// workloads run on it: every method returns ErrNotImplemented, except
// the two volume methods. A volume is then only its record in the store:
// no container can mount it yet, so there is no data to hold, and its
// Mountpoint is where a workload will see it.
type NoWorkloads struct{}

var (
	_ core.Compute = NoWorkloads{}
	_ core.Images  = NoWorkloads{}
)

func (NoWorkloads) Prepare(context.Context, core.Workload) error { return ErrNotImplemented }
func (NoWorkloads) Start(context.Context, core.Workload) error   { return ErrNotImplemented }
func (NoWorkloads) Status(context.Context, string) (core.WorkloadStatus, error) {
	return core.WorkloadStatus{}, ErrNotImplemented
}
func (NoWorkloads) Stop(context.Context, string) error   { return ErrNotImplemented }
func (NoWorkloads) Remove(context.Context, string) error { return ErrNotImplemented }
func (NoWorkloads) Logs(context.Context, string, string) ([]core.LogEntry, string, error) {
	return nil, "", ErrNotImplemented
}
func (NoWorkloads) Volume(_ context.Context, name string) (string, error) {
	return VolumeRoot + name, nil
}
func (NoWorkloads) RemoveVolume(context.Context, string) error { return nil }
func (NoWorkloads) Files(context.Context, core.Workload) (core.Files, error) {
	return nil, ErrNotImplemented
}

func (NoWorkloads) Pull(context.Context, string, string, func(jsonstream.Message)) (core.ImageContent, error) {
	return core.ImageContent{}, ErrNotImplemented
}
func (NoWorkloads) Import(context.Context, io.Reader, []string, string) (core.ImageContent, error) {
	return core.ImageContent{}, ErrNotImplemented
}
func (NoWorkloads) Load(context.Context, io.Reader) ([]core.LoadedImage, error) {
	return nil, ErrNotImplemented
}
func (NoWorkloads) Save(context.Context, io.Writer, []core.SavedImage) error {
	return ErrNotImplemented
}
func (NoWorkloads) DeleteImage(context.Context, string) error { return ErrNotImplemented }
