// Package awsdeploy is AWS for the backend e2e suites: the ecs and lambda
// backends deployed on the AWS simulator by the Terraform module itself
// (terraform/modules/aws, applied by e2e/tfsim with the real terraform
// CLI), the agent image pushed to the module's repository, and what the
// suites do with such a deployment: edges in front of its functions,
// images in its registry, its logs, its crashed functions.
package awsdeploy

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/e2e/tfsim"
	"github.com/sockerless/sockerless/functions/images/agentimage"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// Deployment is the backends deployed on a simulator.
type Deployment struct {
	Outputs  tfsim.Outputs
	Endpoint string
	Config   aws.Config
	// Registry is the simulator's registry host (ECR's repositoryUri host).
	Registry string
	Keychain *awshost.ECRKeychain
}

// Deploy applies the module to a simulator of its own, both backends,
// and pushes the agent image; both go when t ends. The simulator's ECS
// tasks and Lambda functions run in the sandbox. Without the
// hashicorp/aws provider built (`make tf-providers`) it skips t, saying
// so.
func Deploy(t testing.TB) *Deployment { return DeployOn(t, "sandbox") }

// DeployOn is Deploy with the simulator's workloads on runtime (awssim
// --runtime: sandbox, native or auto).
func DeployOn(t testing.TB, runtime string) *Deployment {
	t.Helper()
	td := tfsim.Apply(t, tfsim.Options{Runtime: runtime})
	t.Logf("terraform apply of the aws module on the simulator: %v", td.ApplyTime.Round(100*time.Millisecond))
	cfg := td.Config
	cfg.RetryMaxAttempts = 1
	d := From(td.Outputs, td.Endpoint, cfg)
	d.PushAgent(t)
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

// FunctionEnv is the environment the module gave backend's control-plane
// function: its configuration, for tests that build the backend's
// driver themselves exactly as deployed.
func (d *Deployment) FunctionEnv(t testing.TB, backend string) map[string]string {
	t.Helper()
	out, err := awslambda.NewFromConfig(d.Config).GetFunctionConfiguration(t.Context(),
		&awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(d.Outputs.Functions[backend])})
	if err != nil {
		t.Fatalf("the %s function's configuration: %v", backend, err)
	}
	if out.Environment == nil {
		return map[string]string{}
	}
	return out.Environment.Variables
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
