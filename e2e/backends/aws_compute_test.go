package backends

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/core/computetest"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
)

func init() {
	cloudTests["aws"] = append(cloudTests["aws"], cloudTest{"compute conformance", func(t *testing.T, d cloud.Deployment, _ *harness.Engine, backend, img string) {
		testCompute(t, d.(*awsdeploy.Deployment), backend, img)
	}})
}

// testCompute runs the compute conformance suite against the backend's
// driver on the deployment, configured as the module configured the
// backend's function, with img pulled by reference as docker pull does
// on the backend.
func testCompute(t *testing.T, d *awsdeploy.Deployment, backend, img string) {
	ctx := t.Context()
	env := d.FunctionEnv(t, backend)
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
				Subnets: host.List(env[ecs.EnvSubnets]), ExecutionRole: env[ecs.EnvExecutionRole],
				AgentImage: agentImage, AgentURL: agentURL,
				// Short: the suite waits for it to pass.
				Linger: 3 * time.Second,
			})
			inStat = true
		case lambda.Backend:
			drv, err = lambda.New(ctx, lambda.Config{
				Lambda: awslambda.NewFromConfig(d.Config), Logs: logs, Keychain: d.Keychain,
				Role: env[lambda.EnvRole], Repository: o.WorkloadRepositoryURL, LogGroup: o.LogGroup,
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
