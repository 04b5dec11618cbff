// Command bootstrap is the control-plane function's Lambda entry point
// (runtime provided.al2023): it builds the function once per cold start
// and serves each Invoke's call.Call with it. Build it with
// GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/lambda"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	fn, err := lambda.FromEnv(ctx, log)
	cancel()
	if err != nil {
		// Exiting during init is how Lambda learns the function is
		// misconfigured: the Invoke fails with Runtime.ExitError.
		log.Error("sockerless lambda function cannot start", "err", err)
		os.Exit(1)
	}
	awslambda.Start(func(ctx context.Context, c call.Call) (call.Reply, error) {
		return fn.Handle(ctx, c), nil
	})
}
