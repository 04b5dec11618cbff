package cli

import (
	"context"
	"errors"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/lambdart"
)

// envRuntimeAPI is where Lambda tells its runtime the Runtime API is.
const envRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// lambdaMain is the agent as a Lambda function's runtime: each
// invocation runs one container's main process in reverse mode, and the
// invocation answers once the edge has recorded its exit.
func lambdaMain(ctx context.Context, env Env) int {
	api := env.Getenv(envRuntimeAPI)
	if api == "" {
		return fail(env, "lambda: %s is not set: not running as a Lambda function", envRuntimeAPI)
	}
	if env.Runtime == nil {
		err := errors.New("no runtime to start processes with")
		if rerr := lambdart.InitError(ctx, api, env.HTTPClient, err); rerr != nil {
			fail(env, "lambda: reporting the init error: %v", rerr)
		}
		return fail(env, "lambda: %v", err)
	}
	// One sink for every invocation: main's output is the function's
	// log, which Lambda collects from the runtime's own streams.
	logs := &streamLogs{stdout: env.Stdout, stderr: env.Stderr}
	err := lambdart.Serve(ctx, api, env.HTTPClient, func(ctx context.Context, inv lambdart.Invocation) (lambdart.Result, error) {
		code, err := agent.Run(ctx, agent.Config{EdgeURL: inv.EdgeURL, ContainerID: inv.ContainerID, Token: inv.Token,
			Main: inv.Main, HoldMain: inv.HoldMain, Runtime: env.Runtime, Logs: logs, HTTPClient: env.HTTPClient})
		if err != nil {
			return lambdart.Result{}, err
		}
		return lambdart.Result{ExitCode: code}, nil
	})
	if ctx.Err() != nil {
		return 0 // Lambda is shutting the runtime down
	}
	return fail(env, "lambda: %v", err)
}
