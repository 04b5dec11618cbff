package lambda

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/agent/lambdart"
	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/aws/cwlogs"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
)

// Driver is core.Compute on AWS Lambda. The function is made when the
// container first starts, so there is nothing to prepare; a function has
// no filesystem between invocations for docker cp to reach.
type Driver struct {
	remotecompute.Base
	cfg Config
}

// New checks cfg and returns its driver.
func New(_ context.Context, cfg Config) (*Driver, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.FunctionPrefix = cmp.Or(cfg.FunctionPrefix, "sockerless-w-")
	if cfg.Timeout <= 0 || cfg.Timeout > 15*time.Minute {
		cfg.Timeout = 15 * time.Minute
	}
	base := remotecompute.NewBase(Backend, cfg.AgentURL, "they need an EFS file system: set "+efsvolumes.EnvFileSystem).WithBindCopies()
	if cfg.Volumes != nil {
		base = base.WithVolumes(*cfg.Volumes)
	}
	return &Driver{Base: base, cfg: cfg}, nil
}

// Start makes the container's function if it has none and invokes it
// asynchronously with this start's command line and token.
func (d *Driver) Start(ctx context.Context, w core.Workload) error {
	agentURL, err := d.Launchable(w)
	if err == nil {
		err = d.checkVolumes(w)
	}
	if err != nil {
		return err
	}
	fn := d.functionName(w.ID)
	if err := d.ensureFunction(ctx, fn, w); err != nil {
		return err
	}
	payload, err := json.Marshal(lambdart.Invocation{ContainerID: w.ID, EdgeURL: agentURL, Token: w.Token, Main: w.Main, HoldMain: w.HoldMain})
	if err != nil {
		return err
	}
	if _, err := d.cfg.Lambda.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String(fn), InvocationType: types.InvocationTypeEvent, Payload: payload,
	}); err != nil {
		return fmt.Errorf("Lambda Invoke %s: %w", fn, err)
	}
	return nil
}

// ensureFunction creates fn from w's image unless it exists (a restart),
// and waits until it can be invoked.
func (d *Driver) ensureFunction(ctx context.Context, fn string, w core.Workload) error {
	if _, err := d.cfg.Lambda.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(fn)}); err == nil {
		return nil
	} else if !notFound(err) {
		return fmt.Errorf("Lambda GetFunction %s: %w", fn, err)
	}
	uri, err := d.functionImage(ctx, w.ImageRef)
	if err != nil {
		return err
	}
	fileSystems, vpc, err := d.fileSystems(ctx, w)
	if err != nil {
		return err
	}
	in := &awslambda.CreateFunctionInput{
		FunctionName:  aws.String(fn),
		PackageType:   types.PackageTypeImage,
		Code:          &types.FunctionCode{ImageUri: aws.String(uri)},
		Role:          aws.String(d.cfg.Role),
		Timeout:       aws.Int32(int32(d.cfg.Timeout / time.Second)),
		MemorySize:    aws.Int32(memoryMiB(w.MemoryBytes)),
		Architectures: []types.Architecture{types.ArchitectureX8664},
		Description:   aws.String("sockerless container " + w.ID),
		Tags:          map[string]string{"sockerless:container": w.ID},
		LoggingConfig: &types.LoggingConfig{LogGroup: aws.String(d.cfg.LogGroup), LogFormat: types.LogFormatText},
	}
	in.FileSystemConfigs, in.VpcConfig = fileSystems, vpc
	_, err = d.cfg.Lambda.CreateFunction(ctx, in)
	var conflict *types.ResourceConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("Lambda CreateFunction %s: %w", fn, err)
	}
	waiter := awslambda.NewFunctionActiveV2Waiter(d.cfg.Lambda)
	if err := waiter.Wait(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(fn)}, 5*time.Minute); err != nil {
		return fmt.Errorf("Lambda function %s did not become active: %w", fn, err)
	}
	return nil
}

// memoryMiB is docker run --memory as Lambda's memory size: 1024 MiB
// when unset, within Lambda's 128 MiB to 10 GiB.
func memoryMiB(b int64) int32 {
	mib := (b + 1<<20 - 1) >> 20
	switch {
	case b == 0:
		return 1024
	case mib < 128:
		return 128
	case mib > 10240:
		return 10240
	}
	return int32(mib)
}

func notFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

// Status says whether the container's function exists. Lambda keeps no
// handle on an asynchronous invocation, so a function that exists counts
// as running until its agent reports the exit through the edge.
func (d *Driver) Status(ctx context.Context, id string) (core.WorkloadStatus, error) {
	_, err := d.cfg.Lambda.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(d.functionName(id))})
	switch {
	case err == nil:
		return core.WorkloadStatus{Running: true, Known: true}, nil
	case notFound(err):
		return core.WorkloadStatus{}, nil
	}
	return core.WorkloadStatus{}, fmt.Errorf("Lambda GetFunction: %w", err)
}

// Stop deletes the container's function: nothing else keeps Lambda from
// running it, and an invocation in flight loses its runtime.
func (d *Driver) Stop(ctx context.Context, id string) error {
	_, err := d.cfg.Lambda.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String(d.functionName(id))})
	if err != nil && !notFound(err) {
		return fmt.Errorf("Lambda DeleteFunction: %w", err)
	}
	return nil
}

// Remove deletes the function. Its output stays in the shared log group
// until the group's retention drops it: an invocation's last lines may
// still arrive after the container is gone.
func (d *Driver) Remove(ctx context.Context, id string) error {
	return d.Stop(ctx, id)
}

// Logs reads the function's streams in the shared log group, without
// Lambda's own lines. Stream names start with the day the instance
// started (YYYY/MM/DD/<function>[$LATEST]...), so each day since the
// function was made is read in turn.
func (d *Driver) Logs(ctx context.Context, id, cursor string) ([]core.LogEntry, string, error) {
	fn := d.functionName(id)
	out, err := d.cfg.Lambda.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(fn)})
	if err != nil {
		if notFound(err) {
			return nil, cursor, nil
		}
		return nil, cursor, fmt.Errorf("Lambda GetFunction: %w", err)
	}
	since, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(out.Configuration.LastModified))
	if err != nil {
		since = time.Now()
	}
	var entries []core.LogEntry
	for day := since.UTC().Truncate(24 * time.Hour); !day.After(time.Now().UTC()); day = day.Add(24 * time.Hour) {
		src := cwlogs.Source{Client: d.cfg.Logs, Group: d.cfg.LogGroup, StreamPrefix: day.Format("2006/01/02") + "/" + fn + "[", Skip: PlatformLine}
		e, next, err := src.Read(ctx, cursor)
		if err != nil {
			return nil, cursor, err
		}
		entries, cursor = append(entries, e...), next
	}
	return entries, cursor, nil
}

// PlatformLine reports the lines Lambda itself writes around
// invocations (START, END, REPORT, INIT_*), not the function's output.
func PlatformLine(msg string) bool {
	for _, p := range []string{"START RequestId: ", "END RequestId: ", "REPORT RequestId: ", "INIT_START ", "INIT_REPORT "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
