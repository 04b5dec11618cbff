package backends

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
)

// testCompute runs the compute conformance suite against the backend's
// driver on the deployment, with img pulled by reference as docker pull
// does on the backend.
func testCompute(t *testing.T, d *awsdeploy.Deployment, backend, img string) {
	ctx := t.Context()
	pulled, err := (&remoteimages.Images{Name: backend, Keychain: d.Keychain}).Pull(ctx, img, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	image := core.Workload{ImageID: pulled.ID, ImageRef: pulled.RepoDigests[0]}
	o := d.Outputs
	logs := cloudwatchlogs.NewFromConfig(d.Config)
	agentImage := o.AgentRepositoryURL + ":latest"
	computetest.Run(t, func(t *testing.T, agentURL string) computetest.Target {
		var (
			drv interface {
				core.Compute
				Close() error
			}
			err    error
			inStat bool
		)
		switch backend {
		case ecs.Backend:
			drv, err = ecs.New(ctx, ecs.Config{
				ECS: awsecs.NewFromConfig(d.Config), Logs: logs, Region: o.Region, Cluster: o.ClusterName, LogGroup: o.LogGroup,
				Subnets: []string{awsdeploy.Subnet}, ExecutionRole: roleARN(t, d, awsdeploy.Name+"-task-execution"),
				AgentImage: agentImage, AgentURL: agentURL,
			})
			inStat = true
		case lambda.Backend:
			drv, err = lambda.New(ctx, lambda.Config{
				Lambda: awslambda.NewFromConfig(d.Config), Logs: logs, Keychain: d.Keychain,
				Role: roleARN(t, d, awsdeploy.Name+"-workload"), Repository: o.WorkloadRepositoryURL, LogGroup: o.LogGroup,
				AgentImage: agentImage, AgentURL: agentURL,
			})
		default:
			t.Fatalf("no driver for backend %s", backend)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := drv.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return computetest.Target{Compute: drv, Image: image, ExitInStatus: inStat, OneStream: true, Settle: 2 * time.Minute}
	})
}

func roleARN(t *testing.T, d *awsdeploy.Deployment, name string) string {
	t.Helper()
	out, err := iam.NewFromConfig(d.Config).GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("role %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}
