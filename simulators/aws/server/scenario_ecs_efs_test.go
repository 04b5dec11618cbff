package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecssdk "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	efssdk "github.com/aws/aws-sdk-go-v2/service/efs"
)

// registerEFS registers one container running script with the EFS volume
// "data" mounted at /data.
func (e *ecsEnv) registerEFS(t *testing.T, family, script string, vol *ecstypes.EFSVolumeConfiguration, readOnly bool) string {
	t.Helper()
	c := e.container("main", script)
	c.MountPoints = []ecstypes.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data"), ReadOnly: aws.Bool(readOnly)}}
	out, err := e.ecs.RegisterTaskDefinition(context.Background(), &ecssdk.RegisterTaskDefinitionInput{
		Family: aws.String(family), ContainerDefinitions: []ecstypes.ContainerDefinition{c}, NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		Volumes: []ecstypes.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: vol}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.TaskDefinition.TaskDefinitionArn
}

func apVolume(fs, ap string) *ecstypes.EFSVolumeConfiguration {
	return &ecstypes.EFSVolumeConfiguration{FileSystemId: aws.String(fs), TransitEncryption: ecstypes.EFSTransitEncryptionEnabled,
		AuthorizationConfig: &ecstypes.EFSAuthorizationConfig{AccessPointId: aws.String(ap)}}
}

// TestECSEFSVolume proves that an access point's directory is the same
// storage for every task that mounts it, read-only where the mount point
// says so, and that a task whose volume cannot be mounted fails to start
// with Fargate's reason.
func TestECSEFSVolume(t *testing.T) {
	e := newECSEnv(t, Config{DataDir: t.TempDir()})
	fs := newEFSEnvOn(t, e.srv)
	ap := fs.accessPoint(t, "/volumes/shared")
	cases := []struct {
		name       string
		script     string
		vol        *ecstypes.EFSVolumeConfiguration
		readOnly   bool
		wantExit   int32
		wantReason string
	}{
		{"a task writes into the access point", "echo from-first-task > /data/msg", apVolume(fs.fs, ap), false, 0, ""},
		{"the next task reads what the first wrote", "test \"$(cat /data/msg)\" = from-first-task", apVolume(fs.fs, ap), false, 0, ""},
		{"a read-only mount point refuses writes", "echo x > /data/other", apVolume(fs.fs, ap), true, 1, ""},
		{"the file system root holds the access point's directory", "cat /data/volumes/shared/msg",
			&ecstypes.EFSVolumeConfiguration{FileSystemId: aws.String(fs.fs)}, true, 0, ""},
		{"an unknown file system fails the task", "true",
			&ecstypes.EFSVolumeConfiguration{FileSystemId: aws.String("fs-00000000000000000")}, false, 0, "ResourceInitializationError: failed to invoke EFS utils commands"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arn := e.registerEFS(t, "efs"+string(rune('a'+i)), c.script, c.vol, c.readOnly)
			task, _ := e.waitStatus(t, *e.run(t, runInput(arn)).TaskArn, "STOPPED", 30*time.Second)
			if c.wantReason != "" {
				if !strings.HasPrefix(aws.ToString(task.StoppedReason), c.wantReason) {
					t.Fatalf("stopped reason %q, want %q…", aws.ToString(task.StoppedReason), c.wantReason)
				}
				return
			}
			if got := aws.ToInt32(containerNamed(task, "main").ExitCode); got != c.wantExit {
				t.Fatalf("exit %d, want %d (%s)", got, c.wantExit, aws.ToString(task.StoppedReason))
			}
		})
	}
}

// TestECSEFSRegistration proves ECS's registration rules for EFS volumes.
func TestECSEFSRegistration(t *testing.T) {
	e := newECSEnv(t, Config{})
	cases := []struct {
		name string
		vol  *ecstypes.EFSVolumeConfiguration
	}{
		{"an access point needs transit encryption", &ecstypes.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1"),
			AuthorizationConfig: &ecstypes.EFSAuthorizationConfig{AccessPointId: aws.String("fsap-1")}}},
		{"an access point fixes the root directory", &ecstypes.EFSVolumeConfiguration{FileSystemId: aws.String("fs-1"), RootDirectory: aws.String("/x"),
			TransitEncryption: ecstypes.EFSTransitEncryptionEnabled, AuthorizationConfig: &ecstypes.EFSAuthorizationConfig{AccessPointId: aws.String("fsap-1")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.ecs.RegisterTaskDefinition(context.Background(), &ecssdk.RegisterTaskDefinitionInput{
				Family: aws.String("bad"), ContainerDefinitions: []ecstypes.ContainerDefinition{e.container("main", "true")},
				Volumes: []ecstypes.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: c.vol}},
			})
			if got := errorCode(err); got != "ClientException" {
				t.Fatalf("error %q (%v), want ClientException", got, err)
			}
		})
	}
}

// newEFSEnvOn makes the file system and mount target of newEFSEnv on an
// already running simulator.
func newEFSEnvOn(t testing.TB, srv *Server) *efsEnv {
	t.Helper()
	c := newEFSClient(t, srv.URL())
	ctx := context.Background()
	fs, err := c.CreateFileSystem(ctx, &efssdk.CreateFileSystemInput{CreationToken: aws.String("sockerless")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateMountTarget(ctx, &efssdk.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: aws.String("subnet-0123456789abcdef0")}); err != nil {
		t.Fatal(err)
	}
	return &efsEnv{srv: srv, c: c, fs: *fs.FileSystemId}
}
