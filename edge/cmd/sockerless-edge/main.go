// Command sockerless-edge is the Docker API in front of a control-plane
// function deployed on AWS Lambda (terraform/modules/aws): each Docker
// call is one synchronous Lambda Invoke; attach, exec, logs -f and the
// other streams are carried out here, with the agents of the workloads
// dialling this process's agent listener.
//
//	sockerless-edge --function sockerless-ecs --region eu-west-1 \
//	    --agent-listen 0.0.0.0:9443 --allow-remote --agent-url wss://edge.example.com:9443/agent/v1/connect
//
// AWS credentials and AWS_ENDPOINT_URL (the simulator) come from the
// SDK's usual environment and files.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sockerless/sockerless/edge/gateway"
	"github.com/sockerless/sockerless/functions/transport/lambdainvoke"
)

func main() {
	var opt gateway.Options
	function := flag.String("function", "", "the control-plane function (name or ARN), the Terraform module's `functions` output")
	region := flag.String("region", "", "the function's region (default: the AWS SDK's, from AWS_REGION or the profile)")
	flag.StringVar(&opt.Socket, "socket", defaultSocket(), "unix socket for the Docker API")
	flag.StringVar(&opt.TCP, "tcp", "", "also listen on this TCP address (loopback only unless --allow-remote)")
	flag.BoolVar(&opt.AllowRemote, "allow-remote", false, "permit non-loopback --tcp and --agent-listen addresses (no TLS: put a TLS proxy in front)")
	agentListen := flag.String("agent-listen", "127.0.0.1:0", "where workloads' agents connect")
	flag.StringVar(&opt.AgentURL, "agent-url", "", "the agent listener as workloads reach it (default: ws://<agent-listen>/agent/v1/connect)")
	debug := flag.Bool("debug", false, "log every call")
	flag.Parse()
	if *function == "" {
		fmt.Fprintln(os.Stderr, "sockerless-edge: --function is required (the Terraform module's `functions` output names it)")
		os.Exit(2)
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	opt.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opt.SendAgentURL, opt.Version = true, "sockerless-edge"

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *function, *region, *agentListen, opt); err != nil {
		fmt.Fprintln(os.Stderr, "sockerless-edge:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, function, region, agentListen string, opt gateway.Options) error {
	var loadOpts []func(*config.LoadOptions) error
	if region != "" {
		loadOpts = append(loadOpts, config.WithRegion(region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return fmt.Errorf("load AWS config: %w", err)
	}
	ln, url, err := gateway.AgentListener(agentListen, opt.AllowRemote)
	if err != nil {
		return err
	}
	opt.AgentListener = ln
	if opt.AgentURL == "" {
		opt.AgentURL = url
	}
	gw, err := gateway.Start(lambdainvoke.New(lambda.NewFromConfig(awsCfg), function), opt)
	if err != nil {
		return err
	}
	fmt.Printf("export DOCKER_HOST=%s\n", gw.DockerHost)
	fmt.Printf("# function %s; agents dial %s\n", function, gw.AgentURL)
	select {
	case <-ctx.Done():
	case err = <-gw.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cerr := gw.Close(shutdown); err == nil {
		err = cerr
	}
	return err
}

// defaultSocket is $XDG_RUNTIME_DIR/sockerless-edge.sock, else under .run.
func defaultSocket() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "sockerless-edge.sock")
	}
	return filepath.Join(".run", "sockerless-edge.sock")
}
