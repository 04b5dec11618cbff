// Command push-agent-image pushes the agent image, made from a static
// linux/amd64 agent binary, to a repository (the Terraform module's
// agent_repository_url output), logged in to ECR with the AWS SDK's
// usual credentials. It prints the pushed image pinned by digest.
//
//	push-agent-image -binary .run/bin/linux/agent -ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/sockerless-agent:latest
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/sockerless/sockerless/functions/images/agentimage"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
)

func main() {
	binary := flag.String("binary", "", "the agent binary (GOOS=linux CGO_ENABLED=0 go build ./agent/cmd/agent)")
	ref := flag.String("ref", "", "where to push: repository:tag")
	flag.Parse()
	if *binary == "" || *ref == "" {
		fmt.Fprintln(os.Stderr, "usage: push-agent-image -binary FILE -ref REPOSITORY:TAG")
		os.Exit(2)
	}
	if err := run(context.Background(), *binary, *ref); err != nil {
		fmt.Fprintln(os.Stderr, "push-agent-image:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, binary, ref string) error {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS config: %w", err)
	}
	host, _, _ := strings.Cut(ref, "/")
	keychain := &awshost.ECRKeychain{Client: ecr.NewFromConfig(awsCfg), Hosts: []string{host}}
	img, err := agentimage.Build(binary)
	if err != nil {
		return err
	}
	pinned, err := agentimage.Push(ctx, img, ref, keychain)
	if err != nil {
		return err
	}
	fmt.Println(pinned)
	return nil
}
