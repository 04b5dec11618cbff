// Package awsdeploy deploys the AWS backends to the simulator with the
// AWS SDK, creating what terraform/modules/aws creates, for the tests
// that run where the Terraform provider is not built (CI): the same
// functions, environment, table, cluster, repositories, log groups and
// roles, and the agent image pushed. The Terraform path (e2e/tfsim)
// proves the module; this one lets every CI run prove the backends.
package awsdeploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/e2e/tfsim"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/images/agentimage"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
	"github.com/sockerless/sockerless/functions/state/dynamo"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// Name prefixes everything deployed, as the module's name input.
const Name = "sockerless"

// Secret signs the agents' tokens in the test deployments.
const Secret = "5eb1a5e55eb1a5e55eb1a5e55eb1a5e55eb1a5e55eb1a5e55eb1a5e55eb1a5e5"

// Subnet is the subnet the tasks are given.
const Subnet = "subnet-0123456789abcdef0"

// Deployment is the backends deployed on a simulator.
type Deployment struct {
	Outputs  tfsim.Outputs
	Endpoint string
	Config   aws.Config
	// Registry is the simulator's registry host (ECR's repositoryUri host).
	Registry string
	Keychain *awshost.ECRKeychain
}

// Deploy starts a simulator of its own and deploys the ecs and lambda
// backends to it; its ECS tasks run in the sandbox.
func Deploy(t testing.TB) *Deployment { return DeployOn(t, "sandbox") }

// DeployOn is Deploy with the simulator's ECS tasks on runtime (awssim
// --runtime).
func DeployOn(t testing.TB, runtime string) *Deployment {
	t.Helper()
	dir, data := t.TempDir(), t.TempDir()
	endpoint := awssimtest.SimulatorOn(t, dir, data, runtime)
	cfg := awssimtest.Config(t, endpoint)
	cfg.RetryMaxAttempts = 1
	ctx := t.Context()
	d := From(tfsim.Outputs{}, endpoint, cfg)
	o := &d.Outputs
	o.Region, o.TableName, o.ClusterName, o.LogGroup = cfg.Region, Name+"-state", Name, "/sockerless/"+Name
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("deploy: %s: %v", what, err)
		}
	}
	must("table", dynamo.CreateTable(ctx, dynamodb.NewFromConfig(cfg), o.TableName))
	_, err := cloudwatchlogs.NewFromConfig(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(o.LogGroup)})
	must("log group", err)
	_, err = awsecs.NewFromConfig(cfg).CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String(o.ClusterName)})
	must("cluster", err)
	ecrc := ecr.NewFromConfig(cfg)
	for _, repo := range []string{Name + "-agent", Name + "-workloads"} {
		out, err := ecrc.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repo)})
		must("repository "+repo, err)
		if strings.HasSuffix(repo, "-agent") {
			o.AgentRepositoryURL = aws.ToString(out.Repository.RepositoryUri)
		} else {
			o.WorkloadRepositoryURL = aws.ToString(out.Repository.RepositoryUri)
		}
	}
	roles := map[string]string{}
	iamc := iam.NewFromConfig(cfg)
	for _, r := range []struct{ name, service string }{
		{Name + "-control-plane", "lambda.amazonaws.com"},
		{Name + "-task-execution", "ecs-tasks.amazonaws.com"},
		{Name + "-workload", "lambda.amazonaws.com"},
	} {
		out, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: aws.String(assumeRole(r.service))})
		must("role "+r.name, err)
		roles[r.name] = aws.ToString(out.Role.Arn)
	}
	d.PushAgent(t)
	fs := deployFileSystem(t, cfg)
	o.FileSystemID = fs

	zips := tfsim.BuildZips(t, dir, []string{ecs.Backend, lambda.Backend}, nil)
	common := map[string]string{
		awshost.EnvTable: o.TableName, host.EnvSecret: Secret, awshost.EnvLogGroup: o.LogGroup,
		host.EnvAgentImage: o.AgentRepositoryURL + ":latest",
	}
	backendEnv := map[string]map[string]string{
		// The simulator has no VPC: any subnet id will do, as long as
		// there is one (Fargate's awsvpc mode requires it).
		// The functions see the file system's root where the simulator
		// keeps it, as a function with FileSystemConfigs would at /mnt.
		ecs.Backend: {ecs.EnvCluster: o.ClusterName, ecs.EnvExecutionRole: roles[Name+"-task-execution"], ecs.EnvSubnets: Subnet,
			efsvolumes.EnvFileSystem: fs, efsvolumes.EnvMounted: filepath.Join(data, "efs", fs)},
		lambda.Backend: {lambda.EnvRole: roles[Name+"-workload"], lambda.EnvRepository: o.WorkloadRepositoryURL,
			lambda.EnvSubnets: Subnet, lambda.EnvSecurityGroups: SecurityGroup,
			efsvolumes.EnvFileSystem: fs, efsvolumes.EnvMounted: filepath.Join(data, "efs", fs)},
	}
	o.Functions, o.FunctionARNs = map[string]string{}, map[string]string{}
	lc := awslambda.NewFromConfig(cfg)
	for backend, zip := range zips {
		env := map[string]string{}
		for k, v := range common {
			env[k] = v
		}
		for k, v := range backendEnv[backend] {
			env[k] = v
		}
		code, err := os.ReadFile(zip)
		must("zip", err)
		fn := Name + "-" + backend
		out, err := lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{
			FunctionName: aws.String(fn), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(roles[Name+"-control-plane"]), Code: &types.FunctionCode{ZipFile: code},
			Timeout: aws.Int32(900), MemorySize: aws.Int32(512), Environment: &types.Environment{Variables: env},
		})
		must("function "+fn, err)
		o.Functions[backend], o.FunctionARNs[backend] = fn, aws.ToString(out.FunctionArn)
	}
	return d
}

// From is a deployment made elsewhere (by Terraform) on the simulator
// at endpoint.
func From(o tfsim.Outputs, endpoint string, cfg aws.Config) *Deployment {
	d := &Deployment{Outputs: o, Endpoint: endpoint, Config: cfg, Registry: strings.TrimPrefix(endpoint, "http://")}
	d.Keychain = &awshost.ECRKeychain{Client: ecr.NewFromConfig(cfg), Hosts: []string{d.Registry}}
	return d
}

// PushAgent builds the agent for linux and pushes the agent image to
// the agent repository, as `make agent-image` does.
func (d *Deployment) PushAgent(t testing.TB) {
	t.Helper()
	bin := awssimtest.Build(t, t.TempDir(), "agent", "./agent/cmd/agent", []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"}, "-trimpath", "-ldflags", "-s -w")
	img, err := agentimage.Build(bin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agentimage.Push(t.Context(), img, d.Outputs.AgentRepositoryURL+":latest", d.Keychain); err != nil {
		t.Fatal(err)
	}
}

// EdgeEnv is the environment the edge needs to reach the simulator.
func (d *Deployment) EdgeEnv() []string {
	return []string{"AWS_ENDPOINT_URL=" + d.Endpoint, "AWS_REGION=" + d.Outputs.Region,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test"}
}

// CreateRepository makes an ECR repository and returns its URI.
func (d *Deployment) CreateRepository(t testing.TB, name string) string {
	t.Helper()
	out, err := ecr.NewFromConfig(d.Config).CreateRepository(t.Context(), &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Repository.RepositoryUri)
}

func assumeRole(service string) string {
	b, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]string{"Service": service},
		}},
	})
	return string(b)
}
