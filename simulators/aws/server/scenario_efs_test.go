package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	efssdk "github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/sockerless/sockerless/simulators/aws/efs"
)

func newEFSClient(t testing.TB, url string) *efssdk.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(url), config.WithRetryMaxAttempts(1), config.WithSharedConfigProfile(""))
	if err != nil {
		t.Fatal(err)
	}
	return efssdk.NewFromConfig(cfg)
}

// efsEnv is a file system with a mount target, as the Terraform module
// leaves it, and the SDK client that made it.
type efsEnv struct {
	srv *Server
	c   *efssdk.Client
	fs  string
}

func newEFSEnv(t testing.TB, cfg Config) *efsEnv {
	t.Helper()
	return newEFSEnvOn(t, startServer(t, cfg))
}

func (e *efsEnv) accessPoint(t testing.TB, path string) string {
	t.Helper()
	ap, err := e.c.CreateAccessPoint(context.Background(), &efssdk.CreateAccessPointInput{FileSystemId: aws.String(e.fs),
		PosixUser: &efstypes.PosixUser{Uid: aws.Int64(0), Gid: aws.Int64(0)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String(path),
			CreationInfo: &efstypes.CreationInfo{OwnerUid: aws.Int64(0), OwnerGid: aws.Int64(0), Permissions: aws.String("0777")}}})
	if err != nil {
		t.Fatal(err)
	}
	return *ap.AccessPointId
}

// TestEFSLifecycle drives file systems, mount targets, access points and
// tags through the SDK, with the states and errors EFS gives.
func TestEFSLifecycle(t *testing.T) {
	srv := startServer(t, Config{})
	c := newEFSClient(t, srv.URL())
	ctx := context.Background()
	created, err := c.CreateFileSystem(ctx, &efssdk.CreateFileSystemInput{CreationToken: aws.String("tok"),
		Tags: []efstypes.Tag{{Key: aws.String("Name"), Value: aws.String("data")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := *created.FileSystemId
	if created.LifeCycleState != efstypes.LifeCycleStateCreating || created.PerformanceMode != efstypes.PerformanceModeGeneralPurpose || aws.ToString(created.Name) != "data" {
		t.Fatalf("created = %+v", created)
	}
	if want := "arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/" + id; aws.ToString(created.FileSystemArn) != want {
		t.Fatalf("arn %s, want %s", aws.ToString(created.FileSystemArn), want)
	}
	ap, err := c.CreateAccessPoint(ctx, &efssdk.CreateAccessPointInput{FileSystemId: &id,
		PosixUser:     &efstypes.PosixUser{Uid: aws.Int64(1000), Gid: aws.Int64(1000)},
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/volumes/a")},
		Tags:          []efstypes.Tag{{Key: aws.String("Name"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	mt, err := c.CreateMountTarget(ctx, &efssdk.CreateMountTargetInput{FileSystemId: &id, SubnetId: aws.String("subnet-0123456789abcdef0"), SecurityGroups: []string{"sg-0123456789abcdef0"}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"a second file system with the same creation token is refused", func() error {
			_, err := c.CreateFileSystem(ctx, &efssdk.CreateFileSystemInput{CreationToken: aws.String("tok")})
			return err
		}, "FileSystemAlreadyExists"},
		{"describe by id reads it available with its mount target", func() error {
			out, err := c.DescribeFileSystems(ctx, &efssdk.DescribeFileSystemsInput{FileSystemId: &id})
			if err == nil && (len(out.FileSystems) != 1 || out.FileSystems[0].LifeCycleState != efstypes.LifeCycleStateAvailable || out.FileSystems[0].NumberOfMountTargets != 1) {
				t.Errorf("described %+v", out.FileSystems)
			}
			return err
		}, ""},
		{"an unknown file system is not found", func() error {
			_, err := c.DescribeFileSystems(ctx, &efssdk.DescribeFileSystemsInput{FileSystemId: aws.String("fs-00000000000000000")})
			return err
		}, "FileSystemNotFound"},
		{"the access point is listed with its root directory and POSIX user", func() error {
			out, err := c.DescribeAccessPoints(ctx, &efssdk.DescribeAccessPointsInput{FileSystemId: &id})
			if err == nil && (len(out.AccessPoints) != 1 || aws.ToString(out.AccessPoints[0].RootDirectory.Path) != "/volumes/a" ||
				aws.ToInt64(out.AccessPoints[0].PosixUser.Uid) != 1000 || aws.ToString(out.AccessPoints[0].Name) != "a" ||
				out.AccessPoints[0].LifeCycleState != efstypes.LifeCycleStateAvailable) {
				t.Errorf("access points %+v", out.AccessPoints)
			}
			return err
		}, ""},
		{"an access point path deeper than four directories is refused", func() error {
			_, err := c.CreateAccessPoint(ctx, &efssdk.CreateAccessPointInput{FileSystemId: &id, RootDirectory: &efstypes.RootDirectory{Path: aws.String("/a/b/c/d/e")}})
			return err
		}, "BadRequest"},
		{"a second mount target in the same subnet conflicts", func() error {
			_, err := c.CreateMountTarget(ctx, &efssdk.CreateMountTargetInput{FileSystemId: &id, SubnetId: aws.String("subnet-0123456789abcdef0")})
			return err
		}, "MountTargetConflict"},
		{"the mount target's security groups are read back", func() error {
			out, err := c.DescribeMountTargetSecurityGroups(ctx, &efssdk.DescribeMountTargetSecurityGroupsInput{MountTargetId: mt.MountTargetId})
			if err == nil && (len(out.SecurityGroups) != 1 || out.SecurityGroups[0] != "sg-0123456789abcdef0") {
				t.Errorf("security groups %v", out.SecurityGroups)
			}
			return err
		}, ""},
		{"tags are added, listed and removed", func() error {
			if _, err := c.TagResource(ctx, &efssdk.TagResourceInput{ResourceId: &id, Tags: []efstypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}}}); err != nil {
				return err
			}
			if _, err := c.UntagResource(ctx, &efssdk.UntagResourceInput{ResourceId: &id, TagKeys: []string{"Name"}}); err != nil {
				return err
			}
			out, err := c.ListTagsForResource(ctx, &efssdk.ListTagsForResourceInput{ResourceId: &id})
			if err == nil && (len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "team") {
				t.Errorf("tags %+v", out.Tags)
			}
			return err
		}, ""},
		{"a reserved tag key is refused", func() error {
			_, err := c.TagResource(ctx, &efssdk.TagResourceInput{ResourceId: ap.AccessPointId, Tags: []efstypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
			return err
		}, "BadRequest"},
		{"a file system with mount targets cannot be deleted", func() error {
			_, err := c.DeleteFileSystem(ctx, &efssdk.DeleteFileSystemInput{FileSystemId: &id})
			return err
		}, "FileSystemInUse"},
		{"the lifecycle configuration is stored", func() error {
			if _, err := c.PutLifecycleConfiguration(ctx, &efssdk.PutLifecycleConfigurationInput{FileSystemId: &id,
				LifecyclePolicies: []efstypes.LifecyclePolicy{{TransitionToIA: efstypes.TransitionToIARulesAfter30Days}}}); err != nil {
				return err
			}
			out, err := c.DescribeLifecycleConfiguration(ctx, &efssdk.DescribeLifecycleConfigurationInput{FileSystemId: &id})
			if err == nil && (len(out.LifecyclePolicies) != 1 || out.LifecyclePolicies[0].TransitionToIA != efstypes.TransitionToIARulesAfter30Days) {
				t.Errorf("lifecycle %+v", out.LifecyclePolicies)
			}
			return err
		}, ""},
		{"the access point is deleted", func() error {
			_, err := c.DeleteAccessPoint(ctx, &efssdk.DeleteAccessPointInput{AccessPointId: ap.AccessPointId})
			return err
		}, ""},
		{"a deleted access point is not found", func() error {
			_, err := c.DescribeAccessPoints(ctx, &efssdk.DescribeAccessPointsInput{AccessPointId: ap.AccessPointId})
			return err
		}, "AccessPointNotFound"},
		{"without mount targets the file system is deleted", func() error {
			if _, err := c.DeleteMountTarget(ctx, &efssdk.DeleteMountTargetInput{MountTargetId: mt.MountTargetId}); err != nil {
				return err
			}
			_, err := c.DeleteFileSystem(ctx, &efssdk.DeleteFileSystemInput{FileSystemId: &id})
			return err
		}, ""},
		{"a deleted file system is gone", func() error {
			_, err := c.DescribeFileSystems(ctx, &efssdk.DescribeFileSystemsInput{FileSystemId: &id})
			return err
		}, "FileSystemNotFound"},
	}
	for _, s := range steps {
		if got := errorCode(s.call()); got != s.wantCode {
			t.Fatalf("%s: error code %q, want %q", s.name, got, s.wantCode)
		}
	}
}

// TestEFSAccessPointLimit proves the per-file-system quota's error.
func TestEFSAccessPointLimit(t *testing.T) {
	e := newEFSEnv(t, Config{})
	e.srv.efs.SetMaxAccessPoints(2)
	e.accessPoint(t, "/a")
	e.accessPoint(t, "/b")
	_, err := e.c.CreateAccessPoint(context.Background(), &efssdk.CreateAccessPointInput{FileSystemId: aws.String(e.fs)})
	if got := errorCode(err); got != "AccessPointLimitExceeded" {
		t.Fatalf("third access point: %q (%v), want AccessPointLimitExceeded", got, err)
	}
}

// TestEFSDataAndStateSurviveRestart mounts an access point (which makes
// its directory), writes a file, restarts the simulator on the same data
// directory and finds both the resources and the file.
func TestEFSDataAndStateSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	e := newEFSEnv(t, Config{DataDir: dir})
	ap := e.accessPoint(t, "/volumes/v1")
	host, err := e.srv.efs.Resolve(efs.Mount{Region: "us-east-1", FileSystemID: e.fs, AccessPointID: ap})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(host); err != nil || fi.Mode().Perm() != 0o777 {
		t.Fatalf("access point root: %v %v, want a directory with mode 0777 from CreationInfo", fi, err)
	}
	if err := os.WriteFile(filepath.Join(host, "f"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	second := startServer(t, Config{DataDir: dir})
	again, err := second.efs.Resolve(efs.Mount{Region: "us-east-1", FileSystemID: e.fs, AccessPointID: ap})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(again, "f")); err != nil || string(b) != "kept" {
		t.Fatalf("file after restart: %q, %v", b, err)
	}
	out, err := newEFSClient(t, second.URL()).DescribeFileSystems(context.Background(), &efssdk.DescribeFileSystemsInput{FileSystemId: aws.String(e.fs)})
	if err != nil || out.FileSystems[0].SizeInBytes.Value < 4 {
		t.Fatalf("described after restart: %+v, %v", out, err)
	}
}

// TestEFSMountFailures proves the mount helper's refusals.
func TestEFSMountFailures(t *testing.T) {
	e := newEFSEnv(t, Config{})
	ctx := context.Background()
	bare, err := e.c.CreateAccessPoint(ctx, &efssdk.CreateAccessPointInput{FileSystemId: aws.String(e.fs), RootDirectory: &efstypes.RootDirectory{Path: aws.String("/missing")}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.c.CreateFileSystem(ctx, &efssdk.CreateFileSystemInput{CreationToken: aws.String("unreachable")})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		m    efs.Mount
	}{
		{"an unknown file system does not resolve", efs.Mount{Region: "us-east-1", FileSystemID: "fs-00000000000000000"}},
		{"a file system without a mount target is unreachable", efs.Mount{Region: "us-east-1", FileSystemID: *other.FileSystemId}},
		{"a missing root without CreationInfo is access denied", efs.Mount{Region: "us-east-1", FileSystemID: e.fs, AccessPointID: *bare.AccessPointId}},
		{"an access point of another region is not found", efs.Mount{Region: "eu-west-1", FileSystemID: e.fs, AccessPointID: *bare.AccessPointId}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if dir, err := e.srv.efs.Resolve(c.m); err == nil {
				t.Fatalf("mounted %s", dir)
			}
		})
	}
}
