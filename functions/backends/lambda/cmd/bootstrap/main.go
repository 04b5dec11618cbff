// Command bootstrap is the lambda backend's control-plane function for
// AWS Lambda (runtime provided.al2023): containers run as Lambda
// functions. Build it with functions/cmd/lambdazip (or GOOS=linux
// CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap).
package main

import (
	"os"

	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
)

func main() {
	if buildinfo.VersionCommand("sockerless-lambda", os.Args) {
		return
	}
	awshost.Main(lambda.Function)
}
