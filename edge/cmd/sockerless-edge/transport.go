package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/platform/aws/lambdainvoke"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcfinvoke"
)

// transport is one way this edge carries calls to a deployed
// control-plane function, chosen with --transport. Each lives in its own
// package under functions/transport; a cloud adds its own there and one
// line to transports. (Local mode's in-process transport is the
// sockerless command's: it runs the function in the same process.)
type transport struct {
	name  string
	about string
	// dial reaches function (a name, ARN or URL, as the cloud names it)
	// in region ("" for the cloud's default).
	dial func(ctx context.Context, function, region string) (call.Handler, error)
}

var transports = []transport{
	{name: "lambda", about: "AWS Lambda Invoke", dial: func(ctx context.Context, function, region string) (call.Handler, error) {
		return lambdainvoke.Dial(ctx, function, region)
	}},
	{name: "gcp", about: "a Cloud Run function's URL over HTTPS with an ID token", dial: func(ctx context.Context, function, _ string) (call.Handler, error) {
		return gcfinvoke.Dial(ctx, function)
	}},
}

// defaultTransport is the one used when --function is given without
// --transport: the function names a Lambda function, as before the flag.
const defaultTransport = "lambda"

// chooseTransport is the transport named, or the default for a function
// given without one.
func chooseTransport(name string) (transport, error) {
	if name == "" {
		name = defaultTransport
	}
	var known []string
	for _, t := range transports {
		if t.name == name {
			return t, nil
		}
		known = append(known, fmt.Sprintf("%s (%s)", t.name, t.about))
	}
	return transport{}, fmt.Errorf("unknown --transport %q: the known transports are %s", name, strings.Join(known, ", "))
}
