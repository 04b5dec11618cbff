// Package terraform applies the aws module to the AWS simulator with the
// real terraform CLI and hashicorp/aws provider, checks what it created
// through the AWS SDK, and destroys it again.
package terraform

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/tfsim"
)

// TestApplyDestroy is init, apply, a drift-free plan, the deployed
// resources as the module declares them, then destroy leaving the
// simulator empty.
func TestApplyDestroy(t *testing.T) {
	d := tfsim.Apply(t, tfsim.Options{})
	t.Logf("apply: %v", d.ApplyTime)
	ctx := t.Context()
	o := d.Outputs

	if want := map[string]string{"ecs": "sockerless-ecs", "lambda": "sockerless-lambda"}; !mapsEqual(o.Functions, want) {
		t.Errorf("functions = %v, want %v", o.Functions, want)
	}
	if o.Region != "us-east-1" || o.TableName != "sockerless" || o.ClusterName != "sockerless" || o.LogGroup != "/sockerless/sockerless" {
		t.Errorf("outputs = %+v", o)
	}
	if changes, show := d.Plan(t); changes {
		t.Errorf("a plan right after apply is not empty: the simulator reads back something else than was applied:\n%s", show)
	}

	t.Run("table", func(t *testing.T) { checkTable(ctx, t, d) })
	t.Run("functions", func(t *testing.T) { checkFunctions(ctx, t, d) })
	t.Run("cluster", func(t *testing.T) {
		out, err := ecs.NewFromConfig(d.Config).DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{o.ClusterName}})
		if err != nil || len(out.Clusters) != 1 || aws.ToString(out.Clusters[0].Status) != "ACTIVE" {
			t.Errorf("cluster %s: %+v, %v", o.ClusterName, out, err)
		}
	})
	t.Run("repositories", func(t *testing.T) {
		out, err := ecr.NewFromConfig(d.Config).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, r := range out.Repositories {
			urls = append(urls, aws.ToString(r.RepositoryUri))
		}
		for _, want := range []string{o.AgentRepositoryURL, o.WorkloadRepositoryURL} {
			if !slices.Contains(urls, want) {
				t.Errorf("repository %s missing from %v", want, urls)
			}
		}
	})
	t.Run("log groups", func(t *testing.T) {
		out, err := cloudwatchlogs.NewFromConfig(d.Config).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int32{}
		for _, g := range out.LogGroups {
			got[aws.ToString(g.LogGroupName)] = aws.ToInt32(g.RetentionInDays)
		}
		for _, name := range []string{o.LogGroup, "/aws/lambda/sockerless-ecs", "/aws/lambda/sockerless-lambda"} {
			if got[name] != 14 {
				t.Errorf("log group %s: retention %d (groups %v), want 14 days", name, got[name], got)
			}
		}
	})
	t.Run("volumes' file system", func(t *testing.T) {
		c := efs.NewFromConfig(d.Config)
		fs, err := c.DescribeFileSystems(ctx, &efs.DescribeFileSystemsInput{FileSystemId: aws.String(o.FileSystemID)})
		if err != nil || len(fs.FileSystems) != 1 {
			t.Fatalf("file system %q: %+v, %v", o.FileSystemID, fs, err)
		}
		if f := fs.FileSystems[0]; !aws.ToBool(f.Encrypted) || aws.ToString(f.Name) != "sockerless-volumes" {
			t.Errorf("file system %s: encrypted %v, name %q; want encrypted, sockerless-volumes", o.FileSystemID, aws.ToBool(f.Encrypted), aws.ToString(f.Name))
		}
		// A mount target in the workloads' subnet, or no workload mounts it.
		mts, err := c.DescribeMountTargets(ctx, &efs.DescribeMountTargetsInput{FileSystemId: aws.String(o.FileSystemID)})
		if err != nil || len(mts.MountTargets) != 1 || aws.ToString(mts.MountTargets[0].SubnetId) != "subnet-0123456789abcdef0" {
			t.Errorf("mount targets of %s: %+v, %v; want one in subnet-0123456789abcdef0", o.FileSystemID, mts, err)
		}
	})
	t.Run("roles", func(t *testing.T) {
		c := iam.NewFromConfig(d.Config)
		for role, policy := range map[string]string{
			"sockerless-control-plane": "sockerless-control-plane",
			"sockerless-ecs-execution": "sockerless-ecs-execution",
			"sockerless-workload":      "sockerless-workload",
		} {
			if _, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)}); err != nil {
				t.Errorf("role %s, inline policy %s: %v", role, policy, err)
			}
		}
	})

	// Workloads through what was deployed: the agent image pushed to the
	// module's repository, an edge per backend configured from the
	// outputs, the docker CLI. Before Destroy, so that LeftBehind also
	// proves they leave no task or function.
	t.Run("docker run on each backend", func(t *testing.T) {
		dep := awsdeploy.From(o, d.Endpoint, d.Config)
		dep.PushAgent(t)
		img := dep.PushTestImage(t)
		edge := awsdeploy.BuildEdge(t, t.TempDir())
		for _, backend := range []string{"ecs", "lambda"} {
			e := dep.StartEdge(t, edge, backend, t.TempDir(), "")
			r := e.Docker("run", "--rm", "--entrypoint", "echo", img, "hi")
			if r.Code != 0 || strings.TrimSpace(r.Stdout) != "hi" {
				t.Errorf("%s: docker run --rm %s echo hi: exit %d, stdout %q, stderr %q", backend, img, r.Code, r.Stdout, r.Stderr)
			}
		}
	})

	t.Logf("destroy: %v", d.Destroy(t))
	left, err := d.LeftBehind(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("destroy left behind:\n%v", left)
	}
}

func checkTable(ctx context.Context, t *testing.T, d *tfsim.Deployment) {
	c := dynamodb.NewFromConfig(d.Config)
	name := aws.String(d.Outputs.TableName)
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
	if err != nil {
		t.Fatal(err)
	}
	// The key schema functions/state/dynamo reads and writes.
	keys := map[string]ddbtypes.KeyType{}
	for _, k := range out.Table.KeySchema {
		keys[aws.ToString(k.AttributeName)] = k.KeyType
	}
	if keys["pk"] != ddbtypes.KeyTypeHash || keys["sk"] != ddbtypes.KeyTypeRange || len(keys) != 2 {
		t.Errorf("key schema = %v, want pk HASH, sk RANGE", keys)
	}
	if out.Table.BillingModeSummary == nil || out.Table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Errorf("billing = %+v, want PAY_PER_REQUEST", out.Table.BillingModeSummary)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: name})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "ttl" {
		t.Errorf("TTL = %s on %q, want ENABLED on ttl", d.TimeToLiveStatus, aws.ToString(d.AttributeName))
	}
}

func checkFunctions(ctx context.Context, t *testing.T, d *tfsim.Deployment) {
	c := lambda.NewFromConfig(d.Config)
	for backend, name := range d.Outputs.Functions {
		out, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(out.Runtime) != "provided.al2023" || aws.ToString(out.Handler) != "bootstrap" || aws.ToInt32(out.Timeout) != 900 || aws.ToInt32(out.MemorySize) != 512 {
			t.Errorf("%s: runtime %s handler %s timeout %d memory %d", name, out.Runtime, aws.ToString(out.Handler), aws.ToInt32(out.Timeout), aws.ToInt32(out.MemorySize))
		}
		if aws.ToString(out.FunctionArn) != d.Outputs.FunctionARNs[backend] {
			t.Errorf("%s: ARN %s, output says %s", name, aws.ToString(out.FunctionArn), d.Outputs.FunctionARNs[backend])
		}
		env := map[string]string{}
		if out.Environment != nil {
			env = out.Environment.Variables
		}
		want := map[string]string{
			"SOCKERLESS_TABLE":       d.Outputs.TableName,
			"SOCKERLESS_SECRET":      d.Secret,
			"SOCKERLESS_AGENT_IMAGE": d.Outputs.AgentRepositoryURL + ":latest",
			"SOCKERLESS_LOG_GROUP":   d.Outputs.LogGroup,
			// The simulator's registry takes ECR tokens at its own address.
			"SOCKERLESS_REGISTRY_HOSTS": strings.TrimPrefix(d.Endpoint, "http://"),
			// The functions see the volumes where the simulator keeps them.
			"SOCKERLESS_EFS_MOUNTED": filepath.Join(d.SimulatorData, "efs", d.Outputs.FileSystemID),
		}
		switch backend {
		case "ecs":
			want["SOCKERLESS_ECS_CLUSTER"] = d.Outputs.ClusterName
			want["SOCKERLESS_ECS_ASSIGN_PUBLIC_IP"] = "false"
			want["SOCKERLESS_EFS_FILE_SYSTEM"] = d.Outputs.FileSystemID
		case "lambda":
			want["SOCKERLESS_WORKLOAD_REPOSITORY"] = d.Outputs.WorkloadRepositoryURL
			want["SOCKERLESS_FUNCTION_PREFIX"] = "sockerless-w-"
			want["SOCKERLESS_EFS_FILE_SYSTEM"] = d.Outputs.FileSystemID
			want["SOCKERLESS_LAMBDA_SUBNETS"] = "subnet-0123456789abcdef0"
		}
		for k, v := range want {
			if env[k] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, env[k], v)
			}
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
