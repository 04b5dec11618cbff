package lambda

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
)

// Config wires a Driver to one account's Lambda.
type Config struct {
	Lambda *awslambda.Client
	Logs   *cloudwatchlogs.Client
	// Keychain logs in to the registries images come from and go to.
	Keychain authn.Keychain
	// Role is the workload functions' execution role (ARN).
	Role string
	// Repository receives the function images (an ECR repository URI).
	Repository string
	// LogGroup receives every workload function's output (LoggingConfig),
	// in streams named after the function: one group, with the module's
	// retention, rather than a group per container left behind.
	LogGroup string
	// AgentImage holds the agent binary at agentimage.Path.
	AgentImage string
	// AgentURL is where agents dial the edge when the start call did not
	// say (see call.AgentURLHeader).
	AgentURL string
	// FunctionPrefix names the workload functions; the control plane's
	// role may manage only functions with it.
	FunctionPrefix string
	// Timeout is the workload functions' timeout: how long a container
	// may run (default and most: 15 minutes).
	Timeout time.Duration
	// Volumes keeps named volumes as EFS access points, which functions
	// mount (FileSystemConfigs) from Subnets with SecurityGroups (their
	// VpcConfig); nil leaves the backend without volumes.
	Volumes        *efsvolumes.Volumes
	Subnets        []string
	SecurityGroups []string
}

func (c Config) check() error {
	return remotecompute.CheckConfig(Backend,
		remotecompute.Need("role", c.Role), remotecompute.Need("workload repository", c.Repository),
		remotecompute.Need("agent image", c.AgentImage), remotecompute.Need("log group", c.LogGroup),
		remotecompute.Setting{Name: "Lambda and CloudWatch Logs clients", Set: c.Lambda != nil && c.Logs != nil},
		remotecompute.Setting{Name: "subnets (for the volumes' file system)", Set: c.Volumes == nil || len(c.Subnets) > 0})
}

// functionName is the workload function of a container. Lambda allows 64
// characters; 32 hex digits of the id are as unique as the whole.
func (d *Driver) functionName(id string) string {
	if len(id) > 32 {
		id = id[:32]
	}
	return d.cfg.FunctionPrefix + id
}
