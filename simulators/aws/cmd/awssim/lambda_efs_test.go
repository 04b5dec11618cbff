package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/agent/lambdart"
	"github.com/sockerless/sockerless/agent/proto"
)

// TestLambdaFileSystem mounts an EFS access point into a function shaped
// as the Lambda backend shapes one: what one invocation writes under
// LocalMountPath, a later instance of another function reads, and
// CreateFunction applies Lambda's rules to FileSystemConfigs.
func TestLambdaFileSystem(t *testing.T) {
	s := startSim(t)
	url, exits := serveHub(t)
	fnImage := s.push(t, "efs-agent", image(t, v1.Config{Entrypoint: []string{"/sockerless/agent", "lambda"}},
		userLayer(t), layer(t, map[string]file{"sockerless/agent": {string(agentBinary(t)), 0o755}})))
	ctx := context.Background()
	fsc := efs.NewFromConfig(s.cfg)
	fs, err := fsc.CreateFileSystem(ctx, &efs.CreateFileSystemInput{CreationToken: aws.String("lambda")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsc.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: aws.String("subnet-0123456789abcdef0")}); err != nil {
		t.Fatal(err)
	}
	ap, err := fsc.CreateAccessPoint(ctx, &efs.CreateAccessPointInput{FileSystemId: fs.FileSystemId,
		PosixUser: &efstypes.PosixUser{Uid: aws.Int64(0), Gid: aws.Int64(0)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/volumes/v"),
			CreationInfo: &efstypes.CreationInfo{OwnerUid: aws.Int64(0), OwnerGid: aws.Int64(0), Permissions: aws.String("0777")}}})
	if err != nil {
		t.Fatal(err)
	}
	c := lambda.NewFromConfig(s.cfg)
	vpc := &types.VpcConfig{SubnetIds: []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}}
	mount := []types.FileSystemConfig{{Arn: ap.AccessPointArn, LocalMountPath: aws.String("/mnt/data")}}
	create := func(name string, fsc []types.FileSystemConfig, vpc *types.VpcConfig) error {
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), PackageType: types.PackageTypeImage, Timeout: aws.Int32(60),
			Role: aws.String("arn:aws:iam::000000000000:role/sockerless"), Code: &types.FunctionCode{ImageUri: aws.String(fnImage)},
			FileSystemConfigs: fsc, VpcConfig: vpc,
		})
		return err
	}
	refusals := []struct {
		name string
		fsc  []types.FileSystemConfig
		vpc  *types.VpcConfig
		want string
	}{
		{"a file system needs a VPC", mount, nil, "InvalidParameterValueException"},
		{"one file system at most", append(mount, mount[0]), vpc, "ValidationException"},
		{"the mount path is under /mnt", []types.FileSystemConfig{{Arn: ap.AccessPointArn, LocalMountPath: aws.String("/data")}}, vpc, "ValidationException"},
	}
	for _, r := range refusals {
		if got := apiCode(create("bad", r.fsc, r.vpc)); got != r.want {
			t.Errorf("%s: error %q, want %s", r.name, got, r.want)
		}
	}
	for i, tc := range []struct{ fn, script string }{
		{"writer", "echo kept > /mnt/data/f"},
		{"reader", "test \"$(cat /mnt/data/f)\" = kept"},
	} {
		if err := create(tc.fn, mount, vpc); err != nil {
			t.Fatal(err)
		}
		id := tc.fn + "-" + string(rune('0'+i))
		payload, _ := json.Marshal(lambdart.Invocation{ContainerID: id, EdgeURL: url, Token: "t-" + id,
			Main: proto.ProcessSpec{Args: []string{"sh", "-c", tc.script}}})
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(tc.fn), Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		res, err := lambdart.ParseResponse(out.Payload, aws.ToString(out.FunctionError))
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("%s: result %+v %v (payload %s)", tc.fn, res, err, out.Payload)
		}
		nextExit(t, exits, 0)
	}
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("reader")})
	if err != nil || len(got.FileSystemConfigs) != 1 || aws.ToString(got.FileSystemConfigs[0].LocalMountPath) != "/mnt/data" || got.VpcConfig == nil {
		t.Fatalf("configuration %+v, %v", got, err)
	}
}

// apiCode is the wire error code the SDK saw ("" for success).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
