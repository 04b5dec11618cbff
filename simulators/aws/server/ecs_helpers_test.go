package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecssdk "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/simulators/kit/imagetest"
)

// ecsEnv is a running simulator with an image pushed to its ECR and a
// cluster to run tasks in.
type ecsEnv struct {
	srv   *Server
	ops   *opsClients
	ecs   *ecssdk.Client
	image string // repositoryUri:tag of the pushed image
}

const ecsCluster = "sim"

func newECSEnv(t testing.TB, cfg Config) *ecsEnv {
	t.Helper()
	srv := startServer(t, cfg)
	e := &ecsEnv{srv: srv, ops: newOpsClients(t, srv.URL()), ecs: newECSClient(t, srv.URL())}
	ctx := context.Background()
	repo, err := e.ops.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("tools")})
	if err != nil {
		t.Fatal(err)
	}
	auth, _, err := registryLogin(ctx, e.ops)
	if err != nil {
		t.Fatal(err)
	}
	e.image = *repo.Repository.RepositoryUri + ":v1"
	if err := remote.Write(imageRef(t, e.image), imagetest.Tools(t), remote.WithContext(ctx), remote.WithAuth(auth)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ecs.CreateCluster(ctx, &ecssdk.CreateClusterInput{ClusterName: aws.String(ecsCluster)}); err != nil {
		t.Fatal(err)
	}
	return e
}

func newECSClient(t testing.TB, url string) *ecssdk.Client {
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
	return ecssdk.NewFromConfig(cfg)
}

// container is a container definition for the pushed image running script.
func (e *ecsEnv) container(name, script string) ecstypes.ContainerDefinition {
	return ecstypes.ContainerDefinition{Name: aws.String(name), Image: aws.String(e.image), Command: []string{"sh", "-c", script}}
}

func (e *ecsEnv) register(t testing.TB, family string, defs ...ecstypes.ContainerDefinition) string {
	t.Helper()
	out, err := e.ecs.RegisterTaskDefinition(context.Background(), &ecssdk.RegisterTaskDefinitionInput{
		Family: aws.String(family), ContainerDefinitions: defs, NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu:                     aws.String("256"), Memory: aws.String("512"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.TaskDefinition.TaskDefinitionArn
}

func runInput(taskDef string) *ecssdk.RunTaskInput {
	return &ecssdk.RunTaskInput{
		Cluster: aws.String(ecsCluster), TaskDefinition: aws.String(taskDef), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-sim"}}},
	}
}

func (e *ecsEnv) run(t testing.TB, in *ecssdk.RunTaskInput) ecstypes.Task {
	t.Helper()
	out, err := e.ecs.RunTask(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 1 {
		t.Fatalf("RunTask started %d tasks, failures %+v", len(out.Tasks), out.Failures)
	}
	return out.Tasks[0]
}

// waitStatus polls DescribeTasks until the task reaches status, and
// returns its last description and every lastStatus seen, in order,
// without repeats.
func (e *ecsEnv) waitStatus(t testing.TB, arn, status string, within time.Duration) (ecstypes.Task, []string) {
	t.Helper()
	var seen []string
	deadline := time.Now().Add(within)
	for {
		out, err := e.ecs.DescribeTasks(context.Background(), &ecssdk.DescribeTasksInput{Cluster: aws.String(ecsCluster), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) != 1 {
			t.Fatalf("DescribeTasks: %+v", out.Failures)
		}
		task := out.Tasks[0]
		if s := *task.LastStatus; len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
		if *task.LastStatus == status {
			return task, seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("task still %s after %v (want %s); seen %v", *task.LastStatus, within, status, seen)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func containerNamed(task ecstypes.Task, name string) ecstypes.Container {
	for _, c := range task.Containers {
		if *c.Name == name {
			return c
		}
	}
	return ecstypes.Container{}
}

func taskID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
