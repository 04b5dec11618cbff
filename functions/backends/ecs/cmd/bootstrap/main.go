// Command bootstrap is the ecs backend's control-plane function for AWS
// Lambda (runtime provided.al2023): containers run as ECS Fargate tasks.
// Build it with functions/cmd/lambdazip (or GOOS=linux CGO_ENABLED=0
// go build -tags lambda.norpc -o bootstrap).
package main

import (
	"os"

	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
)

func main() {
	if buildinfo.VersionCommand("sockerless-ecs", os.Args) {
		return
	}
	awshost.Main(ecs.Function)
}
